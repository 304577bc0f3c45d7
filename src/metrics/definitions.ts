/**
 * Every metric name, help text and label set, once. MetalLB's names and help texts are a
 * contract (metallb-behaviour M2): the layer2 counters have no `_total` suffix on purpose.
 */
export const MetricDefinitions = {
  allocatorAddressesTotal: {
    name: 'metallb_allocator_addresses_total',
    help: 'Number of usable IP addresses, per pool',
    labels: ['pool'],
  },
  allocatorIPv4AddressesTotal: {
    name: 'metallb_allocator_ipv4_addresses_total',
    help: 'Number of usable IPV4 addresses, per pool',
    labels: ['pool'],
  },
  allocatorIPv6AddressesTotal: {
    name: 'metallb_allocator_ipv6_addresses_total',
    help: 'Number of usable IPV6 addresses, per pool',
    labels: ['pool'],
  },
  allocatorAddressesInUseTotal: {
    name: 'metallb_allocator_addresses_in_use_total',
    help: 'Number of IP addresses in use, per pool',
    labels: ['pool'],
  },
  allocatorIPv4AddressesInUseTotal: {
    name: 'metallb_allocator_ipv4_addresses_in_use_total',
    help: 'Number of IPV4 addresses in use, per pool',
    labels: ['pool'],
  },
  allocatorIPv6AddressesInUseTotal: {
    name: 'metallb_allocator_ipv6_addresses_in_use_total',
    help: 'Number of IPV6 addresses in use, per pool',
    labels: ['pool'],
  },
  allocatorServicesAllocatedTotal: {
    name: 'metallb_allocator_services_allocated_total',
    help: 'Number of services allocated, per pool',
    labels: ['pool'],
  },
  k8sClientUpdatesTotal: {
    name: 'metallb_k8s_client_updates_total',
    help: 'Number of k8s object updates that have been processed.',
    labels: [],
  },
  k8sClientUpdateErrorsTotal: {
    name: 'metallb_k8s_client_update_errors_total',
    help: 'Number of k8s object updates that failed for some reason.',
    labels: [],
  },
  k8sClientConfigLoadedBool: {
    name: 'metallb_k8s_client_config_loaded_bool',
    help: '1 if the MetalLB configuration was successfully loaded at least once.',
    labels: [],
  },
  k8sClientConfigStaleBool: {
    name: 'metallb_k8s_client_config_stale_bool',
    help: '1 if running on a stale configuration, because the latest config failed to load.',
    labels: [],
  },
  speakerAnnounced: {
    name: 'metallb_speaker_announced',
    help: 'Services being announced from this node. This is desired state, it does not guarantee that the routing protocols have converged.',
    labels: ['service', 'protocol', 'node', 'ip'],
  },
  layer2RequestsReceived: {
    name: 'metallb_layer2_requests_received',
    help: 'Number of layer2 requests received for owned IPs',
    labels: ['ip'],
  },
  layer2ResponsesSent: {
    name: 'metallb_layer2_responses_sent',
    help: 'Number of layer2 responses sent for owned IPs in response to requests',
    labels: ['ip'],
  },
  layer2GratuitousSent: {
    name: 'metallb_layer2_gratuitous_sent',
    help: 'Number of gratuitous layer2 packets sent for owned IPs as a result of failovers',
    labels: ['ip'],
  },
  layer2GratuitousErrorsTotal: {
    name: 'ferrolb_layer2_gratuitous_errors_total',
    help: 'Number of gratuitous layer2 packets that could not be sent, per owned IP',
    labels: ['ip'],
  },
  layer2ConflictsTotal: {
    name: 'ferrolb_layer2_conflicts_total',
    help: 'Number of ARP or NDP messages from another MAC claiming an address this node announces',
    labels: ['ip'],
  },
  layer2DropsTotal: {
    name: 'ferrolb_layer2_drops_total',
    help: 'Number of received ARP or NDP frames dropped, by reason',
    labels: ['reason'],
  },
  layer2ReplyLatencySeconds: {
    name: 'ferrolb_layer2_reply_latency_seconds',
    help: 'Time from receiving an ARP or NDP request to sending the reply',
    labels: [],
  },
  failoverEventsTotal: {
    name: 'ferrolb_failover_events_total',
    help: 'Number of times this node gained ownership of an IP another node announced before',
    labels: [],
  },
  gossipMembers: {
    name: 'ferrolb_gossip_members',
    help: 'Number of gossip members by state, as seen by this node',
    labels: ['state'],
  },
  gossipPacketsDroppedTotal: {
    name: 'ferrolb_gossip_packets_dropped_total',
    help: 'Number of gossip packets dropped, by reason',
    labels: ['reason'],
  },
  speakerReady: {
    name: 'ferrolb_speaker_ready',
    help: '1 when this speaker serves: packet sockets open on a selected interface, gossip secret read when configured, first election applied',
    labels: [],
  },
  speakerNotReady: {
    name: 'ferrolb_speaker_not_ready',
    help: '1 for each reason this speaker is not Ready (gossipSecretUnreadable, noPacketSocket, notConverged)',
    labels: ['reason'],
  },
} as const;

export type MetricKey = keyof typeof MetricDefinitions;
