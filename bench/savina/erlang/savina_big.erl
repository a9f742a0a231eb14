%% Savina (e) big, Erlang: A processes each send P pings, one at a time, to
%% random peers; a peer answers each ping with a pong echoing its token; a
%% process with its P pongs reports to a sink. Messages: 2 * A * P.
%% main([Pings, Actors])
-module(savina_big).
-export([main/1]).
-include("savina.hrl").

-record(w, {index, peers, npeers, rng, left, expected = -1, pongs = 0, pings = 0, bad = 0, sink}).

main(Args) ->
    P = arg(Args, 1, 1000),
    A = arg(Args, 2, 1000),
    A >= 2 orelse fail("big", "needs at least 2 actors", []),
    Main = self(),
    Workers = [spawn(fun() -> wait_start(I) end) || I <- lists:seq(0, A - 1)],
    Peers = list_to_tuple(Workers),
    Sink = spawn(fun() -> sink(A, 0, 0, 0, Main) end),
    T0 = ?NOW(),
    [W ! {start, P, Sink, Peers} || W <- Workers],
    receive {result, Reports, Pongs, Bad} -> ok end,
    T1 = ?NOW(),
    [W ! stop || W <- Workers],
    case Reports =:= A andalso Pongs =:= A * P andalso Bad =:= 0 of
        true -> report("big", 2 * A * P, T1 - T0);
        false -> fail("big", "~b reports, ~b pongs, ~b bad", [Reports, Pongs, Bad])
    end.

wait_start(I) ->
    receive
        {start, P, Sink, Peers} ->
            S = #w{index = I, peers = Peers, npeers = tuple_size(Peers),
                   rng = (16#9e3779b97f4a7c15 * (I + 1)) band 16#ffffffffffffffff,
                   left = P, sink = Sink},
            loop(send_next(S))
    end.

xorshift(X0) ->
    M = 16#ffffffffffffffff,
    X1 = X0 bxor ((X0 bsl 13) band M),
    X2 = X1 bxor (X1 bsr 7),
    X2 bxor ((X2 bsl 17) band M).

send_next(S = #w{index = I, rng = R0, npeers = N, left = L}) ->
    R = xorshift(R0),
    Peer0 = R rem (N - 1),
    Peer = if Peer0 >= I -> Peer0 + 1; true -> Peer0 end,
    Token = (I bsl 32) bor (L - 1),
    element(Peer + 1, S#w.peers) ! {ping, Token, self()},
    S#w{rng = R, left = L - 1, expected = Token}.

loop(S) ->
    receive
        {ping, Token, From} ->
            From ! {pong, Token},
            loop(S#w{pings = S#w.pings + 1});
        {pong, Token} ->
            Bad = if Token =:= S#w.expected -> S#w.bad; true -> S#w.bad + 1 end,
            S1 = S#w{pongs = S#w.pongs + 1, bad = Bad},
            case S1#w.left > 0 of
                true -> loop(send_next(S1));
                false -> S1#w.sink ! {done, S1#w.pongs, Bad}, loop(S1)
            end;
        stop -> ok
    end.

sink(0, Reports, Pongs, Bad, Main) -> Main ! {result, Reports, Pongs, Bad};
sink(Left, Reports, Pongs, Bad, Main) ->
    receive {done, P, B} -> sink(Left - 1, Reports + 1, Pongs + P, Bad + B, Main) end.
