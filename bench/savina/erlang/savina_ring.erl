%% Savina (c) thread ring, Erlang: A processes in a ring pass a token H
%% times; the one that gets it with nothing left tells main its index.
%% main([Hops, Actors])
-module(savina_ring).
-export([main/1]).
-include("savina.hrl").

main(Args) ->
    Hops = arg(Args, 1, 10000000),
    A = arg(Args, 2, 100),
    Main = self(),
    Ring = [spawn(fun() -> receive {link, Next} -> node(I, Next, Main) end end)
            || I <- lists:seq(0, A - 1)],
    link_ring(Ring, hd(Ring)),
    T0 = ?NOW(),
    hd(Ring) ! Hops,
    receive {done, Last} -> ok end,
    T1 = ?NOW(),
    [P ! stop || P <- Ring],
    case Last =:= Hops rem A of
        true -> report("ring", Hops, T1 - T0);
        false -> fail("ring", "ended at ~b, want ~b", [Last, Hops rem A])
    end.

link_ring([Last], First) -> Last ! {link, First};
link_ring([P, Q | Rest], First) -> P ! {link, Q}, link_ring([Q | Rest], First).

node(I, Next, Main) ->
    receive
        stop -> ok;
        0 -> Main ! {done, I}, node(I, Next, Main);
        Left -> Next ! Left - 1, node(I, Next, Main)
    end.
