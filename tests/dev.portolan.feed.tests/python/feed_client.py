"""A feed client on Debian's python3-websockets (10.x, asyncio API), run by FeedServerTest.

usage: feed_client.py WS_URL TOKEN N FOREIGN_ORIGIN
Needs a feed with at least N events in its ring. Checks: the first message is a snapshot; a reconnect with the
snapshot's epoch and seq-N gets exactly the N missed events in order; a foreign Origin is refused (403).
Prints what it saw; exit 0 when every check passed.
"""
import asyncio
import json
import sys

import websockets


async def main(url, token, n, foreign):
    auth = {"Authorization": "Bearer " + token}
    async with websockets.connect(url, extra_headers=auth) as ws:
        snap = json.loads(await asyncio.wait_for(ws.recv(), 20))
    assert snap["type"] == "snapshot", snap
    assert snap["schema"] == 1, snap
    print("snapshot", snap["epoch"], snap["seq"], flush=True)
    after = snap["seq"] - n
    async with websockets.connect(f"{url}?epoch={snap['epoch']}&seq={after}", extra_headers=auth) as ws:
        for i in range(1, n + 1):
            m = json.loads(await asyncio.wait_for(ws.recv(), 20))
            assert m["seq"] == after + i, (m, after + i)
            assert m["epoch"] == snap["epoch"], m
            print("missed", m["seq"], m["type"], flush=True)
    try:
        async with websockets.connect(url, extra_headers=auth, origin=foreign):
            print("foreign origin accepted", flush=True)
            return 1
    except websockets.exceptions.InvalidStatusCode as e:
        print("refused", e.status_code, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main(sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4])))
