%% Savina (f) skynet, Erlang: a 10-ary tree of processes down to `leaves`
%% leaves; leaves send their number up, inner processes the sum of their
%% 10 answers.  main([Leaves])   (a power of 10)
-module(savina_skynet).
-export([main/1]).
-include("savina.hrl").

main(Args) ->
    Leaves = arg(Args, 1, 1000000),
    is_power_of_10(Leaves) orelse fail("skynet", "leaves must be a power of 10", []),
    Main = self(),
    T0 = ?NOW(),
    spawn(fun() -> skynet(0, Leaves, Main) end),
    receive Sum -> ok end,
    T1 = ?NOW(),
    case Sum =:= Leaves * (Leaves - 1) div 2 of
        true -> report("skynet", actors(Leaves), T1 - T0);
        false -> fail("skynet", "sum ~p", [Sum])
    end.

is_power_of_10(1) -> true;
is_power_of_10(N) when N rem 10 =:= 0 -> is_power_of_10(N div 10);
is_power_of_10(_) -> false.

actors(0) -> 0;
actors(N) -> N + actors(N div 10).

skynet(Num, 1, Parent) -> Parent ! Num;
skynet(Num, Size, Parent) ->
    Child = Size div 10,
    Self = self(),
    [spawn(fun() -> skynet(Num + I * Child, Child, Self) end) || I <- lists:seq(0, 9)],
    Parent ! collect(10, 0).

collect(0, Sum) -> Sum;
collect(N, Sum) -> receive V -> collect(N - 1, Sum + V) end.
