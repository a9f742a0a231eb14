%% Savina (d) fork-join creation, Erlang: a driver spawns N processes (all
%% alive at once), then sends each one message; each answers with a value
%% and ends; the driver sums the answers.  main([Actors])
-module(savina_forkjoin).
-export([main/1]).
-include("savina.hrl").

main(Args) ->
    N = arg(Args, 1, 1000000),
    Main = self(),
    T0 = ?NOW(),
    spawn(fun() -> driver(N, Main) end),
    receive {result, Replies, Sum} -> ok end,
    T1 = ?NOW(),
    Want = expected(0, N, 0),
    case Replies =:= N andalso Sum =:= Want of
        true -> report("forkjoin", N, T1 - T0);
        false -> fail("forkjoin", "~b replies, sum ~b (want ~b)", [Replies, Sum, Want])
    end.

value(I) -> (I * 7 + 3) rem 1000.

expected(N, N, Acc) -> Acc;
expected(I, N, Acc) -> expected(I + 1, N, Acc + value(I)).

driver(N, Main) ->
    Workers = [spawn(fun worker/0) || _ <- lists:seq(1, N)],
    go(Workers, 0, self()),
    collect(N, 0, 0, Main).

go([], _, _) -> ok;
go([W | Ws], I, Driver) -> W ! {go, I, Driver}, go(Ws, I + 1, Driver).

worker() ->
    receive {go, I, Driver} -> Driver ! {done, value(I)} end.

collect(0, Replies, Sum, Main) -> Main ! {result, Replies, Sum};
collect(Left, Replies, Sum, Main) ->
    receive {done, V} -> collect(Left - 1, Replies + 1, Sum + V, Main) end.
