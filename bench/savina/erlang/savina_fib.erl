%% Parallel (c) fib, Erlang: one process per call above the cut-off; it
%% spawns two for N - 1 and N - 2 and sends the sum of their answers to its
%% parent; at or below the cut-off it computes sequentially.
%% main([N, Cutoff])
-module(savina_fib).
-export([main/1]).
-include("savina.hrl").

main(Args) ->
    N = arg(Args, 1, 38),
    Cutoff = arg(Args, 2, 22),
    Main = self(),
    T0 = ?NOW(),
    spawn(fun() -> fib(N, Cutoff, Main) end),
    receive {fib, Value} -> ok end,
    T1 = ?NOW(),
    case Value =:= iterative(N, 0, 1) of
        true -> report("fib", actors(N, Cutoff), T1 - T0);
        false -> fail("fib", "fib(~b) = ~b", [N, Value])
    end.

fib(N, Cutoff, Parent) when N =< Cutoff -> Parent ! {fib, sequential(N)};
fib(N, Cutoff, Parent) ->
    Self = self(),
    spawn(fun() -> fib(N - 1, Cutoff, Self) end),
    spawn(fun() -> fib(N - 2, Cutoff, Self) end),
    receive {fib, A} -> receive {fib, B} -> Parent ! {fib, A + B} end end.

sequential(N) when N < 2 -> N;
sequential(N) -> sequential(N - 1) + sequential(N - 2).

iterative(0, A, _) -> A;
iterative(N, A, B) -> iterative(N - 1, B, A + B).

actors(N, Cutoff) when N =< Cutoff -> 1;
actors(N, Cutoff) -> 1 + actors(N - 1, Cutoff) + actors(N - 2, Cutoff).
