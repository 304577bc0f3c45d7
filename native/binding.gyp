{
  "targets": [
    {
      "target_name": "ferrolb_packet",
      "sources": [
        "packet.c",
        "binding_util.c",
        "binding_values.c",
        "classify.c",
        "socket.c",
        "socket_filter.c",
        "socket_filter_binding.c",
        "table.c",
        "responder.c",
        "serve.c",
        "priority.c",
        "netlink.c",
        "netlink_binding.c",
        "netlink_route.c",
        "netlink_watch.c",
        "gossip_probe.c",
        "gossip_probe_binding.c"
      ],
      "cflags": [
        "-Wall",
        "-Wextra",
        "-O2",
        "-std=gnu11"
      ],
      "defines": [
        "NAPI_VERSION=8"
      ],
      "libraries": [
        "-lpthread"
      ]
    }
  ]
}
