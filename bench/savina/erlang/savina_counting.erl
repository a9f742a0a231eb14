%% Savina (b) counting, Erlang: one producer sends N numbers to one
%% counter, then asks it for the count.  main([Messages])
-module(savina_counting).
-export([main/1]).
-include("savina.hrl").

main(Args) ->
    N = arg(Args, 1, 10000000),
    Main = self(),
    T0 = ?NOW(),
    Counter = spawn(fun() -> counter(0, 0) end),
    spawn(fun() -> produce(0, N, Counter), Counter ! {get, Main} end),
    receive {result, Count, Sum} -> ok end,
    T1 = ?NOW(),
    case Count =:= N andalso Sum =:= N * (N - 1) div 2 of
        true -> report("counting", N, T1 - T0);
        false -> fail("counting", "counted ~b of ~b", [Count, N])
    end.

produce(N, N, _) -> ok;
produce(I, N, Counter) -> Counter ! I, produce(I + 1, N, Counter).

counter(Count, Sum) ->
    receive
        {get, Main} -> Main ! {result, Count, Sum};
        V -> counter(Count + 1, Sum + V)
    end.
