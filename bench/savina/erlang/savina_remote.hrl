%% savina_remote.hrl - the second node of the remote workloads. The node
%% running main/1 must be distributed (run.sh starts it with -name on
%% 127.0.0.1); it starts a peer node (OTP 25's peer module: a second OS
%% process, connected by Erlang distribution over TCP on 127.0.0.1, not
%% encrypted), with the same code path, scheduler count and cookie.

start_server_node() ->
    Ebin = filename:dirname(code:which(?MODULE)),
    Schedulers = integer_to_list(erlang:system_info(schedulers_online)),
    {ok, Peer, Node} = peer:start_link(#{
        name => peer:random_name(savina_server),
        host => "127.0.0.1",
        longnames => true,
        args => ["-pa", Ebin, "+S", Schedulers, "-setcookie", atom_to_list(erlang:get_cookie()),
                 "-kernel", "inet_dist_use_interface", "{127,0,0,1}"]}),
    {Peer, Node}.
