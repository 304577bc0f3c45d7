// Every default value, once, each with its reason (STYLE.md: constants live once). Several engineers
// add lines here.

/** MetalLB's namespace: pools and advertisements outside it are ignored (DESIGN `plan`, `--namespace`). */
export const DEFAULT_NAMESPACE = 'metallb-system';

/** Namespace of a Service document without `metadata.namespace`, as kubectl would assume. */
export const DEFAULT_SERVICE_NAMESPACE = 'default';

/** An IPv6 CIDR with at least this many host bits reports MaxInt64 addresses (MetalLB M3, R2, Q17). */
export const HUGE_CIDR_HOST_BITS = 62;

/** 2^63 − 1, Go's MaxInt64: where MetalLB's pool counters saturate (Q17). */
export const MAX_INT64 = (1n << 63n) - 1n;

/**
 * Gratuitous announcements after gaining an IP are sent every 1.1 s (MetalLB G3): just over the
 * Linux ARP locktime of 1 s, so a client that saw the previous announcement still takes the next.
 */
export const GRATUITOUS_INTERVAL_MS = 1100;

/** ... for 5 s after gaining the IP (MetalLB G2): rounds at 0, 1.1, 2.2, 3.3 and 4.4 s. */
export const GRATUITOUS_DURATION_MS = 5000;

/**
 * Periodic re-announcement of owned IPs is off by default (MetalLB G8, metallb#3125 made it opt-in):
 * it only helps where switch FDB ageing outlives the clients' neighbour entries (metallb#2910).
 */
export const GRATUITOUS_REFRESH_INTERVAL_MS = 0;

/**
 * Interfaces are re-read when rtnetlink reports a link or address change (or an overrun of its
 * notifications), and in any case at this interval: only a safety net, since every change the
 * selection reads comes as an event (issue 14). MetalLB rescans every 10 s (L1) with no events.
 * One read is an RTM_GETLINK + RTM_GETADDR dump: about 90 µs with 4 links (measured, loaded host).
 */
export const INTERFACE_POLL_INTERVAL_MS = 60_000;

/** Changes reported by rtnetlink come in bursts (link, then address): read once after they settle. */
export const INTERFACE_CHANGE_SETTLE_MS = 50;

/**
 * How often a packet socket that failed to open is tried again. (The layer-2 counters kept in the
 * addon's C table are copied into Prometheus when /metrics is read, not on this timer.)
 */
export const LAYER2_PORT_RETRY_INTERVAL_MS = 1000;

/**
 * Standalone SIGTERM hand-over (issue 5 item 3): after leaving gossip the old owner keeps
 * answering this long, covering the next owner's first two gratuitous rounds (0 and 1.1 s) plus
 * the time gossip takes to spread the leave, so a client never finds nobody home.
 */
export const STANDALONE_GRACE_PERIOD_MS = 2000;

/**
 * Standalone start: wait this long at most for gossip to reach another member before the first
 * election. A node that elected alone would announce every IP for an instant and poison clients'
 * neighbour caches with a MAC that withdraws a moment later; a node that is really alone (the
 * others down) only starts this much later.
 */
export const STANDALONE_JOIN_WAIT_MS = 3000;

/**
 * A conflict (another MAC claiming our VIP) is logged and reported to the speaker (an Event) at most
 * once per IP and MAC in this window; the counter still counts every frame. A squatter answering
 * every request must not flood logs and the API server.
 */
export const CONFLICT_REPORT_INTERVAL_MS = 10_000;

/**
 * Kubernetes speaker SIGTERM hand-over (ML7, issue 5 item 3): after leaving gossip it keeps
 * answering this long, as the standalone speaker does, so the next owner's first gratuitous rounds
 * land before this node goes quiet. Below the DaemonSet's terminationGracePeriodSeconds.
 */
export const SPEAKER_GRACE_PERIOD_MS = 2000;

/** ML6: the speaker re-lists speaker pods for gossip seeds every minute, as MetalLB joins every minute. */
export const SPEAKER_SEED_REFRESH_MS = 60_000;

/** Bursts of watch events (a rollout, a resync) are coalesced into one reconcile after this quiet time. */
export const SPEAKER_RECONCILE_DELAY_MS = 20;

/** A failed ServiceL2Status or Event write is retried by a reconcile after this delay. */
export const SPEAKER_RETRY_DELAY_MS = 2000;

/** A failed ConfigurationState write (R6) is retried after this delay. */
export const CONFIGURATION_STATE_RETRY_MS = 5000;

/**
 * Controller leader election (DESIGN processes: 2 replicas, one active): client-go's Lease timings,
 * the same 15 s / 10 s / 2 s as kube-controller-manager. A leader that cannot renew for the renew
 * deadline stops writing before its Lease can expire and another replica take over.
 */
export const CONTROLLER_LEASE_DURATION_SECONDS = 15;
export const CONTROLLER_LEASE_RENEW_DEADLINE_MS = 10_000;
export const CONTROLLER_LEASE_RETRY_PERIOD_MS = 2_000;
/**
 * A leader renews a Lease it holds this often (client-go renews every retry period): half the renew
 * deadline, so a failed renewal still gets retries every retry period before the deadline; a third
 * as many writes when idle (issue 14). Never more than half the renew deadline a caller sets.
 */
export const CONTROLLER_LEASE_RENEW_INTERVAL_MS = 5_000;

/** C10 `Error`: a Service whose reconcile or status write failed is retried after 1 s, doubling to a minute. */
export const CONTROLLER_RETRY_INITIAL_MS = 1_000;
export const CONTROLLER_RETRY_MAXIMUM_MS = 60_000;

/** A failed list or watch restarts after 250 ms, doubling to 30 s (toolchain.md §4: informers stop on error). */
export const WATCH_RESTART_INITIAL_MS = 250;
export const WATCH_RESTART_MAXIMUM_MS = 30_000;

/** Pool status (R2) writes are coalesced: 5,000 allocations in one pass make one write per pool. */
export const POOL_STATUS_DELAY_MS = 200;

/**
 * Kubernetes speaker start with gossip: wait this long at most for another member before the first
 * election, for the same reason as STANDALONE_JOIN_WAIT_MS (a lonely election announces every IP).
 */
export const SPEAKER_JOIN_WAIT_MS = 3000;

/**
 * DESIGN "Ownership is re-asserted": a watchdog timer runs this often, and a tick that comes
 * PAUSE_THRESHOLD_MS or more after it was due means the process was stopped (SIGSTOP, a frozen VM)
 * or starved: peers may have taken our IPs over meanwhile, so every owned IP is announced again.
 * An extra burst after a mere stall costs a few frames; a missed one leaves clients on a node that withdrew.
 */
export const PAUSE_CHECK_INTERVAL_MS = 500;

/** How late the watchdog must fire to count as a pause (see PAUSE_CHECK_INTERVAL_MS). */
export const PAUSE_THRESHOLD_MS = 1000;

/**
 * Another MAC claiming an IP we own gets one gratuitous round back at once, so the owner has the
 * last word while the election moves the IP (the claimer withdraws once gossip tells it to); at
 * most once per IP in this window. One round, not a burst: two nodes that both believe they own an
 * IP (a split brain until gossip heals) would otherwise restart each other's bursts for ever.
 */
export const REASSERT_ON_CLAIM_INTERVAL_MS = 500;

/**
 * For this long after a membership change (a member left, died, returned or joined) or a change of
 * this node's IPs, another speaker answering for one of our IPs is the election handing over (the
 * old owner inside its grace period, a peer not yet re-elected), not a conflict: no metric, Event
 * or warning (issue 12 #12; MetalLB raises no ipConflict at all). The grace period (2 s) plus the
 * burst (5 s) plus margin for gossip to converge.
 */
export const HANDOVER_SETTLE_MS = 10_000;

/**
 * Each packet socket (one interface, ARP or NDP) answers at most this many requests per second,
 * in bursts of up to LAYER2_REPLY_BURST, and counts the rest as `rateLimited` drops (issue 12 #11):
 * a request flood must not become a reply flood. Generous on purpose: far above what a LAN's
 * neighbours ask (a few per second per host), and above the zero-loss answered rate bench/l2
 * measures, so legitimate bursts (every client re-resolving after a failover) are never cut.
 */
export const LAYER2_REPLY_RATE_PER_SECOND = 100_000;

/** Bucket size of the per-socket reply limit (LAYER2_REPLY_RATE_PER_SECOND). */
export const LAYER2_REPLY_BURST = 10_000;
