// Savina remote ping-pong, CAF: the pinger in this process, the ponger in
// a second one (remote.hpp); N round trips, each message an int and the
// sender's handle, after 100 untimed warm-up round trips.
//     remote_pingpong [round_trips=20000]
#include "remote.hpp"

using namespace caf;
using done_atom = atom_constant<atom("done")>;

constexpr int32_t warmup = 100;

struct hits {
    int64_t n = 0;
    int64_t wrong = 0;
};

behavior ponger(stateful_actor<hits>* self) {
    return {
        [=](int32_t n, const actor& from) {
            self->state.n++;
            self->send(from, n, actor_cast<actor>(self));
        },
        [=](done_atom, const actor& main) {
            self->send(main, done_atom::value, self->state.n);
            self->state.n = 0;
        },
    };
}

// Plays `n` round trips with `to`, then tells `main` how many pongs came
// and how many carried the wrong number.
behavior pinger(stateful_actor<hits>* self, int32_t n, actor to, actor main) {
    self->send(to, n, actor_cast<actor>(self));
    return {
        [=](int32_t m, const actor&) {
            self->state.n++;
            if (m != n - self->state.n + 1)
                self->state.wrong++;
            if (m > 1) {
                self->send(to, m - 1, actor_cast<actor>(self));
            } else {
                self->send(main, done_atom::value, self->state.n, self->state.wrong);
                self->quit();
            }
        },
    };
}

static void round_trips(actor_system& sys, scoped_actor& main_actor, const actor& pong, int32_t n) {
    sys.spawn(pinger, n, pong, actor_cast<actor>(main_actor.ptr()));
    main_actor->receive([&](done_atom, int64_t pongs, int64_t wrong) {
        if (pongs != n || wrong != 0)
            savina::fail("remote_pingpong", std::to_string(pongs) + " pongs (want " +
                                                std::to_string(n) + "), " + std::to_string(wrong) +
                                                " wrong");
    });
}

int main(int argc, char** argv) {
    int64_t n = savina::arg(argc, argv, 1, 20000);
    auto server = savina::start_server("remote_pingpong", [](actor_system& s) { return s.spawn(ponger); });
    int64_t pings = 0;
    {
        actor_system_config cfg;
        savina::configure_remote(cfg);
        actor_system sys{cfg};
        scoped_actor main_actor{sys};
        actor pong = savina::connect("remote_pingpong", sys, server.port);
        round_trips(sys, main_actor, pong, warmup);
        int64_t t0 = savina::now_ns();
        round_trips(sys, main_actor, pong, static_cast<int32_t>(n));
        int64_t t1 = savina::now_ns();
        main_actor->send(pong, done_atom::value, actor_cast<actor>(main_actor.ptr()));
        main_actor->receive([&](done_atom, int64_t p) { pings = p; });
        if (pings != n + warmup)
            savina::fail("remote_pingpong", "the ponger got " + std::to_string(pings) + " pings");
        savina::report("remote_pingpong", sys, 2 * n, t1 - t0);
        savina::stop_server(server);
        std::_Exit(0); // the remote proxy's teardown waits for the gone server
    }
}
