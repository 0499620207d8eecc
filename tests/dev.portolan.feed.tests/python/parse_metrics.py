"""Fetches a feed's /metrics with its token and parses it with prometheus_client's parser (Debian
python3-prometheus-client); prints one JSON object {sample name + sorted labels: value}. Exit 2 on a parse error.

usage: parse_metrics.py METRICS_URL TOKEN
"""
import json
import sys
import urllib.request

from prometheus_client.parser import text_string_to_metric_families

req = urllib.request.Request(sys.argv[1], headers={"Authorization": "Bearer " + sys.argv[2]})
text = urllib.request.urlopen(req, timeout=20).read().decode("utf-8")
out = {}
try:
    for family in text_string_to_metric_families(text):
        for s in family.samples:
            labels = ",".join(f"{k}={v}" for k, v in sorted(s.labels.items()))
            # NaN (a gauge without a value yet, e.g. an instance never health-checked) as the string "NaN": JSON has no NaN
            out[f"{s.name}{{{labels}}}"] = s.value if s.value == s.value else "NaN"
except ValueError as e:
    print("parse error:", e, file=sys.stderr)
    sys.exit(2)
print(json.dumps(out))
