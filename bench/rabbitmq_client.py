#!/usr/bin/env python3
"""rabbitmq_client: the RabbitMQ side of bench/rabbitmq.sh.

K client processes (one AMQP connection each, so Python's lock does not
serialise them), each keeping W persistent messages of P bytes in flight to
one quorum queue with publisher confirms, until its share of N is confirmed.
A message counts when its confirm (basic.ack, possibly `multiple`) arrives:
RabbitMQ confirms a persistent message to a quorum queue once a quorum of
its replicas (here the one node) has written it to its log and fsynced.
Latency is from publish to confirm. Prints one JSON line. Loopback only.
Uses Debian's python3-pika.
"""
import argparse
import json
import multiprocessing as mp
import sys
import time

import pika


def client(idx, host, port, queue, count, window, payload, out):
    params = pika.ConnectionParameters(host=host, port=port, heartbeat=0,
                                       blocked_connection_timeout=60)
    state = {"sent": 0, "acked": 0, "next_tag": 1, "t0": {}, "lat": [], "nacked": 0}
    props = pika.BasicProperties(delivery_mode=2)

    def publish_more(ch):
        while state["sent"] < count and state["sent"] - state["acked"] < window:
            tag = state["next_tag"]
            state["next_tag"] += 1
            state["t0"][tag] = time.perf_counter()
            ch.basic_publish(exchange="", routing_key=queue, body=payload, properties=props)
            state["sent"] += 1

    def on_confirm(frame):
        m = frame.method
        now = time.perf_counter()
        tags = [t for t in list(state["t0"]) if t <= m.delivery_tag] if m.multiple \
            else [m.delivery_tag]
        for t in tags:
            t0 = state["t0"].pop(t, None)
            if t0 is not None:
                state["lat"].append(now - t0)
                state["acked"] += 1
        if isinstance(m, pika.spec.Basic.Nack):
            state["nacked"] += len(tags)
        if state["acked"] >= count:
            conn.close()
        else:
            publish_more(chan[0])

    chan = [None]

    def on_channel(ch):
        chan[0] = ch
        ch.confirm_delivery(on_confirm, callback=lambda _f: start(ch))

    def start(ch):
        out.put(("ready", idx))
        # The clock starts for everyone together (a barrier through the parent).
        while not go.is_set():
            time.sleep(0.001)
        state["start"] = time.perf_counter()
        publish_more(ch)

    conn = pika.SelectConnection(
        params, on_open_callback=lambda c: c.channel(on_open_callback=on_channel),
        on_open_error_callback=lambda c, e: c.ioloop.stop(),
        on_close_callback=lambda c, e: c.ioloop.stop())
    state["start"] = time.perf_counter()
    conn.ioloop.start()
    end = time.perf_counter()
    out.put(("done", idx, state["lat"], state["start"], end, state["nacked"]))


go = None


def main():
    global go
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("-n", "--count", type=int, default=20000)
    ap.add_argument("-c", "--clients", type=int, default=4)
    ap.add_argument("-w", "--window", type=int, default=256)
    ap.add_argument("--payload", type=int, default=877)
    ap.add_argument("--queue", default="mash-bench")
    a = ap.parse_args()
    if a.count < a.clients or a.clients < 1 or a.window < 1:
        ap.error("need count >= clients >= 1 and window >= 1")

    # A durable quorum queue, declared once, emptied first.
    conn = pika.BlockingConnection(pika.ConnectionParameters(host="127.0.0.1", port=a.port))
    ch = conn.channel()
    ch.queue_declare(queue=a.queue, durable=True, arguments={"x-queue-type": "quorum"})
    ch.queue_purge(queue=a.queue)
    conn.close()

    payload = bytes((i * 31 + 7) & 0xFF for i in range(a.payload))
    go = mp.Event()
    out = mp.Queue()
    share = [a.count // a.clients + (1 if i < a.count % a.clients else 0) for i in range(a.clients)]
    procs = [mp.Process(target=client, args=(i, "127.0.0.1", a.port, a.queue, share[i], a.window,
                                             payload, out)) for i in range(a.clients)]
    for p in procs:
        p.start()
    ready = 0
    while ready < a.clients:
        msg = out.get(timeout=60)
        if msg[0] == "ready":
            ready += 1
    go.set()
    lat, starts, ends, nacked = [], [], [], 0
    for _ in range(a.clients):
        msg = out.get(timeout=600)
        lat += msg[2]
        starts.append(msg[3])
        ends.append(msg[4])
        nacked += msg[5]
    for p in procs:
        p.join()
    secs = max(ends) - min(starts)
    lat.sort()

    def pct(q):
        return lat[min(len(lat) - 1, int(q * len(lat)))] * 1000 if lat else 0.0

    # What the queue holds now: every confirmed message must be there.
    conn = pika.BlockingConnection(pika.ConnectionParameters(host="127.0.0.1", port=a.port))
    ch = conn.channel()
    held = ch.queue_declare(queue=a.queue, durable=True, passive=True,
                            arguments={"x-queue-type": "quorum"}).method.message_count
    conn.close()
    res = {"target": "rabbitmq-quorum", "n": a.count, "clients": a.clients, "window": a.window,
           "payload": a.payload, "confirmed": len(lat), "nacked": nacked, "in_queue": held,
           "msgs_per_s": len(lat) / secs if secs > 0 else 0.0, "p50_ms": pct(0.50),
           "p99_ms": pct(0.99), "seconds": secs}
    print(json.dumps(res))
    return 0 if len(lat) == a.count and nacked == 0 and held >= a.count else 1


if __name__ == "__main__":
    sys.exit(main())
