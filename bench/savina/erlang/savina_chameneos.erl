%% Parallel (b) chameneos, Erlang: chameneos processes meet through a mall
%% process until N meetings have taken place (the protocol of
%% alox/chameneos.c).  main([Meetings, Chameneos])
-module(savina_chameneos).
-export([main/1]).
-include("savina.hrl").

main(Args) ->
    Meetings = arg(Args, 1, 200000),
    Count = arg(Args, 2, 100),
    Main = self(),
    T0 = ?NOW(),
    spawn(fun() -> start(Meetings, Count, Main) end),
    receive {result, Reports, Met} -> ok end,
    T1 = ?NOW(),
    case Reports =:= Count andalso Met =:= 2 * Meetings of
        true -> report("chameneos", Meetings, T1 - T0);
        false -> fail("chameneos", "~b reports, ~b meetings counted (want ~b)",
                      [Reports, Met, 2 * Meetings])
    end.

start(Meetings, Count, Main) ->
    Mall = self(),
    [spawn(fun() -> Mall ! {meet, self(), I rem 3}, chameneo(Mall, I rem 3, 0) end)
     || I <- lists:seq(0, Count - 1)],
    mall(Meetings, none, Count, 0, 0, Main).

complement(A, A) -> A;
complement(A, B) -> 3 - A - B.

chameneo(Mall, Colour, Met) ->
    receive
        {pair, Partner, Other} ->
            New = complement(Colour, Other),
            Partner ! {change, New},
            Mall ! {meet, self(), New},
            chameneo(Mall, New, Met + 1);
        {change, New} ->
            Mall ! {meet, self(), New},
            chameneo(Mall, New, Met + 1);
        stop ->
            Mall ! {report, Met}
    end.

mall(Left, Waiting, Count, Reports, Met, Main) ->
    receive
        {meet, From, _} when Left =:= 0 ->
            From ! stop,
            mall(Left, Waiting, Count, Reports, Met, Main);
        {meet, From, _} when Waiting =:= none ->
            mall(Left, From, Count, Reports, Met, Main);
        {meet, From, Colour} ->
            Waiting ! {pair, From, Colour},
            mall(Left - 1, none, Count, Reports, Met, Main);
        {report, M} when Reports + 1 =:= Count ->
            Main ! {result, Count, Met + M};
        {report, M} ->
            mall(Left, Waiting, Count, Reports + 1, Met + M, Main)
    end.
