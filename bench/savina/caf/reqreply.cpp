// Request-reply, CAF: a client asks a server N times, one request at a time,
// with request(server, infinite, i).then(...), and asks again from the
// continuation; the server's handler returns i + 1.  reqreply [round_trips]
#include "savina.hpp"

using namespace caf;
using done_atom = atom_constant<atom("done")>;

behavior server(stateful_actor<int64_t>* self) {
    return {
        [=](int64_t i) {
            self->state++;
            return i + 1;
        },
    };
}

struct client_state {
    int64_t n = 0, done = 0, sum = 0;
    actor srv, main;
};

void ask(stateful_actor<client_state>* self) {
    self->request(self->state.srv, infinite, self->state.done).then([=](int64_t v) {
        auto& s = self->state;
        s.sum += v;
        if (++s.done < s.n) {
            ask(self);
        } else {
            self->send(s.main, done_atom::value, s.done, s.sum);
            self->quit();
        }
    });
}

behavior client(stateful_actor<client_state>* self, actor srv, int64_t n, actor main) {
    self->state.n = n;
    self->state.srv = srv;
    self->state.main = main;
    ask(self);
    return {[](int64_t) {}};
}

int main(int argc, char** argv) {
    int64_t n = savina::arg(argc, argv, 1, 1000000);
    actor_system_config cfg;
    savina::configure(cfg);
    actor_system sys{cfg};
    scoped_actor main_actor{sys};
    int64_t t0 = savina::now_ns();
    auto srv = sys.spawn(server);
    sys.spawn(client, srv, n, actor_cast<actor>(main_actor.ptr()));
    int64_t done = 0, sum = 0;
    main_actor->receive([&](done_atom, int64_t d, int64_t s) {
        done = d;
        sum = s;
    });
    int64_t t1 = savina::now_ns();
    anon_send_exit(srv, exit_reason::user_shutdown);
    if (done != n || sum != n * (n + 1) / 2)
        savina::fail("reqreply", "client got " + std::to_string(done) + " answers, sum " +
                                     std::to_string(sum));
    savina::report("reqreply", sys, n, t1 - t0);
    return 0;
}
