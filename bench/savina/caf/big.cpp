// Savina (e) big, CAF: A actors each send P pings, one at a time, to random
// peers; a peer answers each ping with a pong echoing its token; an actor
// with its P pongs reports to a sink. Messages: 2 * A * P.
//   big [pings] [actors]
#include <memory>

#include "savina.hpp"

using namespace caf;
using ping_atom = atom_constant<atom("ping")>;
using pong_atom = atom_constant<atom("pong")>;
using start_atom = atom_constant<atom("start")>;
using done_atom = atom_constant<atom("done")>;
using result_atom = atom_constant<atom("result")>;

using peer_list = std::shared_ptr<const std::vector<actor>>;

struct worker_state {
    uint64_t rng = 0;
    int64_t left = 0, expected = 0, pongs = 0, pings = 0, bad = 0;
    peer_list peers;
    actor sink;
};

static void send_next(stateful_actor<worker_state>* self, int64_t index) {
    auto& s = self->state;
    s.rng ^= s.rng << 13;
    s.rng ^= s.rng >> 7;
    s.rng ^= s.rng << 17;
    int64_t npeers = static_cast<int64_t>(s.peers->size());
    int64_t peer = static_cast<int64_t>(s.rng % static_cast<uint64_t>(npeers - 1));
    if (peer >= index)
        peer++;
    s.left--;
    s.expected = index << 32 | s.left;
    self->send((*s.peers)[static_cast<size_t>(peer)], ping_atom::value, s.expected,
               actor_cast<actor>(self));
}

behavior big_worker(stateful_actor<worker_state>* self, int64_t index) {
    return {
        [=](start_atom, int64_t pings, const actor& sink, const peer_list& peers) {
            auto& s = self->state;
            s.left = pings;
            s.sink = sink;
            s.peers = peers;
            s.rng = 0x9e3779b97f4a7c15ull * static_cast<uint64_t>(index + 1);
            send_next(self, index);
        },
        [=](ping_atom, int64_t token, const actor& from) {
            self->state.pings++;
            self->send(from, pong_atom::value, token);
        },
        [=](pong_atom, int64_t token) {
            auto& s = self->state;
            s.pongs++;
            if (token != s.expected)
                s.bad++;
            if (s.left > 0)
                send_next(self, index);
            else
                self->send(s.sink, done_atom::value, s.pongs, s.bad, s.pings);
        },
        [=](done_atom) {
            self->state.peers = nullptr;
            self->quit();
        },
    };
}

struct sink_state {
    int64_t reports = 0, pongs = 0, bad = 0;
};

behavior big_sink(stateful_actor<sink_state>* self, int64_t actors, actor main) {
    return {
        [=](done_atom, int64_t pongs, int64_t bad, int64_t) {
            auto& s = self->state;
            s.reports++;
            s.pongs += pongs;
            s.bad += bad;
            if (s.reports == actors) {
                self->send(main, result_atom::value, s.reports, s.pongs, s.bad);
                self->quit();
            }
        },
    };
}

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(peer_list)

int main(int argc, char** argv) {
    int64_t pings = savina::arg(argc, argv, 1, 1000);
    int64_t actors = savina::arg(argc, argv, 2, 1000);
    if (actors < 2)
        savina::fail("big", "needs at least 2 actors");
    actor_system_config cfg;
    savina::configure(cfg);
    actor_system sys{cfg};
    scoped_actor main_actor{sys};
    auto peers = std::make_shared<std::vector<actor>>();
    for (int64_t i = 0; i < actors; i++)
        peers->push_back(sys.spawn(big_worker, i));
    auto sink = sys.spawn(big_sink, actors, actor_cast<actor>(main_actor.ptr()));
    peer_list shared = peers;
    int64_t t0 = savina::now_ns();
    for (auto& w : *peers)
        main_actor->send(w, start_atom::value, pings, sink, shared);
    int64_t reports = 0, pongs = 0, bad = -1;
    main_actor->receive([&](result_atom, int64_t r, int64_t p, int64_t b) {
        reports = r;
        pongs = p;
        bad = b;
    });
    int64_t t1 = savina::now_ns();
    for (auto& w : *peers)
        main_actor->send(w, done_atom::value);
    if (reports != actors || pongs != actors * pings || bad != 0)
        savina::fail("big", std::to_string(reports) + " reports, " + std::to_string(pongs) +
                                " pongs, " + std::to_string(bad) + " bad");
    savina::report("big", sys, 2 * actors * pings, t1 - t0);
    return 0;
}
