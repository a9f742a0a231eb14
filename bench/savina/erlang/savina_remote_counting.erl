%% Savina remote counting, Erlang: this node sends N numbers, one message
%% each, to a counter on a second node (see savina_remote.hrl), which
%% counts them, sums them and checks their order. Timed from the first send
%% until the counter's answer to a final question (it comes after every
%% number, on the same connection). 1000 untimed warm-up messages first.
%%     main([Messages])
-module(savina_remote_counting).
-export([main/1, counter/3]).
-include("savina.hrl").
-include("savina_remote.hrl").

-define(WARMUP, 1000).

main(Args) ->
    N = arg(Args, 1, 1000000),
    {Peer, Node} = start_server_node(),
    Counter = spawn(Node, ?MODULE, counter, [0, 0, 0]),
    send_all(Counter, ?WARMUP),
    {?WARMUP, _, 0} = tally(Counter),
    T0 = ?NOW(),
    send_all(Counter, N),
    {Count, Sum, OutOfOrder} = tally(Counter),
    T1 = ?NOW(),
    peer:stop(Peer),
    Want = N * (N - 1) div 2,
    case {Count, Sum, OutOfOrder} of
        {N, Want, 0} -> report("remote_counting", N, T1 - T0);
        _ -> fail("remote_counting", "counted ~b (want ~b), sum ~b (want ~b), ~b out of order",
                  [Count, N, Sum, Want, OutOfOrder])
    end.

send_all(Counter, N) -> send_all(Counter, 0, N).
send_all(_Counter, N, N) -> ok;
send_all(Counter, I, N) -> Counter ! I, send_all(Counter, I + 1, N).

%% The counter's count, sum and out-of-order count; it then starts over.
tally(Counter) ->
    Counter ! {tally, self()},
    receive {counted, C, S, O} -> {C, S, O} end.

counter(Count, Sum, OutOfOrder) ->
    receive
        {tally, From} -> From ! {counted, Count, Sum, OutOfOrder}, counter(0, 0, 0);
        I when I =:= Count -> counter(Count + 1, Sum + I, OutOfOrder);
        I -> counter(Count + 1, Sum + I, OutOfOrder + 1)
    end.
