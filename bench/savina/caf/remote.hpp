// remote.hpp - the second process of the CAF remote workloads. CAF's own
// network layer (libcaf_io, its BASP protocol over plain TCP; not
// encrypted): a child process publishes the server actor on 127.0.0.1 and
// tells the parent the port; the parent connects with remote_actor.
// The child is forked before either process starts an actor system (no
// threads cross the fork) and ends when the parent closes its pipe.
#ifndef SAVINA_CAF_REMOTE_HPP
#define SAVINA_CAF_REMOTE_HPP

#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "caf/io/all.hpp"
#include "savina.hpp"

namespace savina {

struct server_process {
    pid_t pid;
    int keep_alive; // the child lives until this pipe is closed
    uint16_t port;
};

inline void configure_remote(caf::actor_system_config& cfg) {
    configure(cfg);
    cfg.load<caf::io::middleman>();
}

// Forks a child that spawns the server actor with `spawn_server(system)`
// and publishes it; returns once it listens.
template <class SpawnServer>
server_process start_server(const char* workload, SpawnServer spawn_server) {
    int port_pipe[2], life_pipe[2];
    if (pipe(port_pipe) != 0 || pipe(life_pipe) != 0)
        fail(workload, "pipe failed");
    pid_t pid = fork();
    if (pid < 0)
        fail(workload, "fork failed");
    if (pid == 0) {
        close(port_pipe[0]);
        close(life_pipe[1]);
        caf::actor_system_config cfg;
        configure_remote(cfg);
        caf::actor_system sys{cfg};
        auto port = sys.middleman().publish(spawn_server(sys), 0, "127.0.0.1");
        if (!port)
            fail(workload, "publish: " + sys.render(port.error()));
        uint16_t p = *port;
        if (write(port_pipe[1], &p, sizeof p) != sizeof p)
            std::_Exit(1);
        char c;
        while (read(life_pipe[0], &c, 1) > 0) {
        }
        std::_Exit(0); // the parent has its answer; skip the teardown
    }
    close(port_pipe[1]);
    close(life_pipe[0]);
    uint16_t port = 0;
    if (read(port_pipe[0], &port, sizeof port) != sizeof port)
        fail(workload, "the server process did not start");
    close(port_pipe[0]);
    return {pid, life_pipe[1], port};
}

inline void stop_server(server_process& server) {
    close(server.keep_alive);
    int status = 0;
    waitpid(server.pid, &status, 0);
}

inline caf::actor connect(const char* workload, caf::actor_system& sys, uint16_t port) {
    auto remote = sys.middleman().remote_actor("127.0.0.1", port);
    if (!remote)
        fail(workload, "remote_actor: " + sys.render(remote.error()));
    return *remote;
}

} // namespace savina

#endif
