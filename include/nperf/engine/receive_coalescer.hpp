#pragma once
// When a UDP receiver should block on its socket and when it should nap.
//
// A receiver blocked in recvmmsg is woken by the *sender's* CPU for every
// datagram that finds the queue empty: on loopback and veth the whole
// receive path runs on the sending core, and a wake-up (an IPI, a VM exit
// on virtual machines) costs more than the datagram itself. A receiver that
// has just drained its queue at a high rate therefore naps for a short fixed
// time instead, and nobody has to wake it: the sender's cost per datagram
// falls and the receiver reads a batch per call. Once a nap finds nothing
// queued the rate is low enough that wake-ups are cheap, and the receiver
// blocks again (so a slow or idle stream costs no polling).
//
// Arrival times come from the kernel's receive timestamps, so napping does
// not bend jitter. Pure: the caller performs the actions.
namespace nperf::engine {

enum class ReceiveAction {
  kBlock,        // recvmmsg waiting for the first datagram
  kPollNow,      // recvmmsg without waiting: more is queued
  kNapThenPoll,  // sleep kReceiveNapUs, then recvmmsg without waiting
};

// Long enough that a fast stream queues several datagrams (1 Gbit/s of
// 1400-byte datagrams is one per 11 us), short enough that a default
// receive buffer never fills meanwhile (40 us of 10 Gbit/s is 50 KB).
constexpr long kReceiveNapUs = 40;

// Naps only with a receive buffer at least this large: a nap on a VM can
// last 60-100 us, and a small buffer (-w 8K) would overflow meanwhile at a
// rate its owner could otherwise keep up with.
constexpr int kMinNapReceiveBuffer = 256 * 1024;

// What to do after a recvmmsg of up to `batch` messages returned `received`
// (0 or less: nothing was queued, or the wait timed out).
constexpr ReceiveAction next_receive_action(int received, unsigned batch, bool may_nap = true) {
  if (received >= static_cast<int>(batch))
    return ReceiveAction::kPollNow;                             // a full batch: more is likely queued
  if (received <= 0 || !may_nap) return ReceiveAction::kBlock;  // a nap found nothing: the rate is low
  return ReceiveAction::kNapThenPoll;  // drained part-way through a batch: let it fill
}

}  // namespace nperf::engine
