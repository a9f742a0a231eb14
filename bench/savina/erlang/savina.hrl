%% savina.hrl - what the Erlang programs of the Savina suite share: the
%% result line (the same as the C and CAF programs print) and failing.
%% Each module's main/1 takes its arguments as strings (erl -run M main ARGS).

-define(NOW(), erlang:monotonic_time(nanosecond)).

report(Workload, Units, Ns) ->
    io:format("SAVINA workload=~s system=erlang threads=~b units=~b ns=~b check=ok~n",
              [Workload, erlang:system_info(schedulers_online), Units, Ns]),
    halt(0).

fail(Workload, Format, Args) ->
    io:format(standard_error, "SAVINA-FAIL ~s: " ++ Format ++ "~n", [Workload | Args]),
    halt(1).

arg(Args, Index, Default) when length(Args) < Index -> Default;
arg(Args, Index, _Default) -> list_to_integer(lists:nth(Index, Args)).
