%% Request-reply, Erlang: a client calls a gen_server N times, one call at a
%% time (gen_server:call, which monitors the server and waits for the
%% reply); the server answers I + 1.  main([RoundTrips])
-module(savina_reqreply).
-behaviour(gen_server).
-export([main/1, init/1, handle_call/3, handle_cast/2]).
-include("savina.hrl").

main(Args) ->
    N = arg(Args, 1, 1000000),
    {ok, Server} = gen_server:start(?MODULE, 0, []),
    T0 = ?NOW(),
    Sum = loop(Server, 0, N, 0),
    T1 = ?NOW(),
    Served = gen_server:call(Server, served),
    case {Sum, Served} of
        {S, V} when S =:= N * (N + 1) div 2, V =:= N -> report("reqreply", N, T1 - T0);
        _ -> fail("reqreply", "sum ~b, served ~b", [Sum, Served])
    end.

loop(_Server, N, N, Sum) -> Sum;
loop(Server, I, N, Sum) -> loop(Server, I + 1, N, Sum + gen_server:call(Server, I, infinity)).

init(Served) -> {ok, Served}.
handle_call(served, _From, Served) -> {reply, Served, Served};
handle_call(I, _From, Served) -> {reply, I + 1, Served + 1}.
handle_cast(_, Served) -> {noreply, Served}.
