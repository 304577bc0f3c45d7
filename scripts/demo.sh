#!/usr/bin/env bash
# Placeholder until the demo issue lands: says what the demo will do and exits 0.
echo "ferrolb demo: not yet. It will build a lab of network namespaces (three nodes and a client),"
echo "run ferrolb standalone, show the client reaching a LoadBalancer IP, kill the owner node and"
echo "show the IP moving to the next node with the measured gap."
