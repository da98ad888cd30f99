"""creditdesk web portal: server-rendered pages over the gateway's public API."""
