%% Savina (a) ping-pong, Erlang: two processes bounce a counter N times;
%% every message carries an int and the sender's pid.  main([RoundTrips])
-module(savina_pingpong).
-export([main/1]).
-include("savina.hrl").

main(Args) ->
    N = arg(Args, 1, 1000000),
    Main = self(),
    T0 = ?NOW(),
    Pong = spawn(fun() -> ponger(0) end),
    Ping = spawn(fun() -> pinger(0, Main) end),
    Ping ! {N, Pong},
    receive {done, Pings, Pongs} -> ok end,
    T1 = ?NOW(),
    case {Pings, Pongs} of
        {P, Q} when P =:= N + 1, Q =:= N -> report("pingpong", 2 * N, T1 - T0);
        _ -> fail("pingpong", "pinger got ~b, ponger ~b", [Pings, Pongs])
    end.

pinger(Hits, Main) ->
    receive
        {0, Pong} -> Pong ! {done, Hits + 1, Main};
        {N, Pong} -> Pong ! {N - 1, self()}, pinger(Hits + 1, Main)
    end.

ponger(Hits) ->
    receive
        {done, Pings, Main} -> Main ! {done, Pings, Hits};
        {N, Ping} -> Ping ! {N, self()}, ponger(Hits + 1)
    end.
