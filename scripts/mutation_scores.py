#!/usr/bin/env python3
"""Per-folder mutation scores from a Stryker JSON report (mutation-testing-report-schema).

Score = (killed + timeout) / (killed + timeout + survived + no coverage), Stryker's definition;
compile errors and ignored mutants are left out. Survivors are listed with file, line and the mutation.
"""
import json
import sys

report_path, folders = sys.argv[1], sys.argv[2:]
with open(report_path, encoding="utf-8") as f:
    report = json.load(f)

rows = {folder: {"Killed": 0, "Timeout": 0, "Survived": 0, "NoCoverage": 0} for folder in folders}
survivors = []
for path, entry in report["files"].items():
    norm = path.replace("\\", "/")
    folder = next((d for d in folders if f"/{d}/" in "/" + norm or norm.startswith(d + "/")), None)
    if folder is None:
        continue
    for m in entry["mutants"]:
        status = m["status"]
        if status in rows[folder]:
            rows[folder][status] += 1
        if status in ("Survived", "NoCoverage"):
            line = m["location"]["start"]["line"]
            survivors.append(f"  {status:10} {norm}:{line}  {m['mutatorName']}: {m.get('replacement', '')!r}")

# A timeout (the mutant made the covering tests run past Stryker's limit, usually an endless loop) counts as killed,
# as Stryker counts it, but is shown apart: on a loaded machine a slow test can time out without being wrong.
print("| folder | mutants tested | killed | of which timeouts | survived | no coverage | score |")
print("|---|---|---|---|---|---|---|")
for folder, r in rows.items():
    killed = r["Killed"] + r["Timeout"]
    total = killed + r["Survived"] + r["NoCoverage"]
    score = 100.0 * killed / total if total else float("nan")
    print(f"| `src/RefNet/{folder}` | {total} | {killed} | {r['Timeout']} | {r['Survived']} | {r['NoCoverage']} | {score:.2f} % |")
if survivors:
    print("survivors and uncovered mutants:")
    print("\n".join(survivors))
