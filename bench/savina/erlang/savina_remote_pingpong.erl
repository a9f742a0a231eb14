%% Savina remote ping-pong, Erlang: the pinger on this node, the ponger on
%% a second node (see savina_remote.hrl); N round trips, each message an
%% int and the sender's pid, after 100 untimed warm-up round trips.
%%     main([RoundTrips])
-module(savina_remote_pingpong).
-export([main/1, ponger/1]).
-include("savina.hrl").
-include("savina_remote.hrl").

-define(WARMUP, 100).

main(Args) ->
    N = arg(Args, 1, 20000),
    {Peer, Node} = start_server_node(),
    Pong = spawn(Node, ?MODULE, ponger, [0]),
    Main = self(),
    round_trips(Pong, ?WARMUP),
    T0 = ?NOW(),
    round_trips(Pong, N),
    T1 = ?NOW(),
    Pong ! {done, Main},
    Pings = receive {pings, P} -> P end,
    peer:stop(Peer),
    case Pings of
        P2 when P2 =:= N + ?WARMUP -> report("remote_pingpong", 2 * N, T1 - T0);
        _ -> fail("remote_pingpong", "ponger got ~b pings (want ~b)", [Pings, N + ?WARMUP])
    end.

%% N round trips, each checked: the pong carries the ping's number back.
round_trips(_Pong, 0) -> ok;
round_trips(Pong, N) ->
    Pong ! {N, self()},
    receive
        {N, Pong} -> round_trips(Pong, N - 1);
        Other -> fail("remote_pingpong", "unexpected ~p", [Other])
    end.

ponger(Hits) ->
    receive
        {done, Main} -> Main ! {pings, Hits};
        {N, Ping} -> Ping ! {N, self()}, ponger(Hits + 1)
    end.
