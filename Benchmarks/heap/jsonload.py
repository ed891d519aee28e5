# The baseline: what it costs just to parse the snapshot as JSON, nothing else.
import json, sys
with open(sys.argv[1], 'rb') as f:
    data = json.load(f)
print(len(data['nodes']), len(data['edges']), len(data['strings']))
