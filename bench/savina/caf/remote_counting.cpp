// Savina remote counting, CAF: this process sends N numbers, one message
// each, to a counter in a second process (remote.hpp), which counts them,
// sums them and checks their order. Timed from the first send until the
// counter's answer to a final question (it comes after every number, on the
// same connection). 1000 untimed warm-up messages first.
//     remote_counting [messages=1000000]
#include "remote.hpp"

using namespace caf;
using tally_atom = atom_constant<atom("tally")>;

constexpr int64_t warmup = 1000;

struct tally {
    int64_t count = 0, sum = 0, out_of_order = 0;
};

behavior counter(stateful_actor<tally>* self) {
    return {
        [=](int64_t i) {
            auto& s = self->state;
            if (i != s.count)
                s.out_of_order++;
            s.count++;
            s.sum += i;
        },
        [=](tally_atom, const actor& to) {
            auto& s = self->state;
            self->send(to, tally_atom::value, s.count, s.sum, s.out_of_order);
            s = tally{};
        },
    };
}

static tally send_all(scoped_actor& main_actor, const actor& to, int64_t n) {
    for (int64_t i = 0; i < n; i++)
        main_actor->send(to, i);
    main_actor->send(to, tally_atom::value, actor_cast<actor>(main_actor.ptr()));
    tally t;
    main_actor->receive([&](tally_atom, int64_t c, int64_t s, int64_t o) { t = {c, s, o}; });
    return t;
}

int main(int argc, char** argv) {
    int64_t n = savina::arg(argc, argv, 1, 1000000);
    auto server = savina::start_server("remote_counting", [](actor_system& s) { return s.spawn(counter); });
    actor_system_config cfg;
    savina::configure_remote(cfg);
    actor_system sys{cfg};
    scoped_actor main_actor{sys};
    actor remote = savina::connect("remote_counting", sys, server.port);
    tally w = send_all(main_actor, remote, warmup);
    if (w.count != warmup || w.out_of_order != 0)
        savina::fail("remote_counting", "warm-up: counted " + std::to_string(w.count));
    int64_t t0 = savina::now_ns();
    tally t = send_all(main_actor, remote, n);
    int64_t t1 = savina::now_ns();
    if (t.count != n || t.sum != n * (n - 1) / 2 || t.out_of_order != 0)
        savina::fail("remote_counting", "counted " + std::to_string(t.count) + " (want " +
                                            std::to_string(n) + "), sum " + std::to_string(t.sum) +
                                            ", " + std::to_string(t.out_of_order) + " out of order");
    savina::report("remote_counting", sys, n, t1 - t0);
    savina::stop_server(server);
    std::_Exit(0); // the remote proxy's teardown waits for the gone server
}
