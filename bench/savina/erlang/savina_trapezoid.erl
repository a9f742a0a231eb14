%% Parallel (a) trapezoid, Erlang: a master spawns one process per piece of
%% the integral and sends it its piece; each answers with the area; the
%% master adds them (see common/parallel.h).  main([Pieces, Steps])
-module(savina_trapezoid).
-export([main/1]).
-include("savina.hrl").

main(Args) ->
    Pieces = arg(Args, 1, 4000),
    Steps = arg(Args, 2, 2000),
    Main = self(),
    T0 = ?NOW(),
    spawn(fun() -> master(Pieces, Steps, Main) end),
    receive {result, Replies, Sum} -> ok end,
    T1 = ?NOW(),
    Want = expected(0, Pieces, Steps, 0.0),
    case Replies =:= Pieces andalso abs(Sum - Want) =< 1.0e-9 * abs(Want) of
        true -> report("trapezoid", Pieces, T1 - T0);
        false -> fail("trapezoid", "~b pieces, area ~.12g (want ~.12g)", [Replies, Sum, Want])
    end.

master(Pieces, Steps, Main) ->
    Self = self(),
    [spawn(fun worker/0) ! {piece, I, Pieces, Steps, Self} || I <- lists:seq(0, Pieces - 1)],
    collect(Pieces, 0, 0.0, Main).

worker() ->
    receive {piece, I, Pieces, Steps, Master} -> Master ! {area, piece(I, Pieces, Steps)} end.

collect(0, Replies, Sum, Main) -> Main ! {result, Replies, Sum};
collect(Left, Replies, Sum, Main) ->
    receive {area, A} -> collect(Left - 1, Replies + 1, Sum + A, Main) end.

f(X) -> math:sqrt(1.0 + X * X * X) * math:sin(X).

piece(I, Pieces, Steps) ->
    Width = (10.0 - 0.0) / Pieces,
    Lo = 0.0 + Width * I,
    H = Width / Steps,
    steps(1, Steps, Lo, H, (f(Lo) + f(Lo + Width)) / 2.0) * H.

steps(Steps, Steps, _Lo, _H, Sum) -> Sum;
steps(I, Steps, Lo, H, Sum) -> steps(I + 1, Steps, Lo, H, Sum + f(Lo + H * I)).

expected(Pieces, Pieces, _Steps, Sum) -> Sum;
expected(I, Pieces, Steps, Sum) -> expected(I + 1, Pieces, Steps, Sum + piece(I, Pieces, Steps)).
