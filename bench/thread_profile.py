#!/usr/bin/env python3
# Where a loopback test's threads spend their time, without perf (this VM has no hardware
# counters): runs a one-off server and a 4 s client of TOOL (nperf or iperf3) on 127.0.0.1 and
# reads /proc/PID/task/*/{stat,status,schedstat} of both at t=1 s and t=3 s: per-thread CPU (user,
# system), time runnable but waiting for a core (run-queue wait), voluntary context switches
# (wake-ups after blocking) and involuntary ones (preemptions). CPU + run-queue wait below 100 %
# is time the thread slept (blocked in a call).
#
#   bench/thread_profile.py build/nperf 27031 -P 2
#   bench/thread_profile.py /usr/bin/iperf3 27031 -P 2 -l 1M
import subprocess, sys, time, os, json
tool, port, args = sys.argv[1], sys.argv[2], sys.argv[3:]
def threads(pid):
    out = {}
    try:
        for tid in os.listdir(f"/proc/{pid}/task"):
            try:
                st = open(f"/proc/{pid}/task/{tid}/stat").read()
                f = st[st.rindex(")")+2:].split()
                ut, stt, cpu = int(f[11]), int(f[12]), int(f[36])
                s = open(f"/proc/{pid}/task/{tid}/status").read().split("\n")
                v = [int(l.split()[1]) for l in s if l.startswith(("voluntary_ctxt", "nonvoluntary_ctxt"))]
                wait_ns = int(open(f"/proc/{pid}/task/{tid}/schedstat").read().split()[1])
                out[tid] = (ut, stt, v[0], v[1], cpu, wait_ns)
            except Exception: pass
    except Exception: pass
    return out
srv = subprocess.Popen([tool, "-s", "-1", "-p", port], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
time.sleep(0.4)
cli = subprocess.Popen([tool, "-c", "127.0.0.1", "-p", port, "-t", "4", "-J"] + args, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
time.sleep(1.0)
a = {"client": threads(cli.pid), "server": threads(srv.pid)}; t0 = time.time()
time.sleep(2.0)
b = {"client": threads(cli.pid), "server": threads(srv.pid)}; dt = time.time() - t0
out, _ = cli.communicate(timeout=30); srv.wait(timeout=10)
try: gbps = json.loads(out)["end"]["sum_received"]["bits_per_second"] / 1e9
except Exception: gbps = float("nan")
hz = os.sysconf("SC_CLK_TCK")
print(f"{os.path.basename(tool)} {' '.join(args)}: {gbps:.1f} Gbit/s")
tot = 0
for side in ("client", "server"):
    for tid in b[side]:
        if tid not in a[side]: continue
        x, y = a[side][tid], b[side][tid]
        u = (y[0]-x[0])/hz/dt*100; s = (y[1]-x[1])/hz/dt*100
        vol = (y[2]-x[2])/dt; inv = (y[3]-x[3])/dt
        rq = (y[5]-x[5])/1e9/dt*100  # runnable but not running (schedstat)
        if u + s < 2 and vol < 50: continue
        tot += u + s
        print(f"  {side:6} tid {tid:>7}: cpu {u+s:5.1f}% (usr {u:4.1f} sys {s:5.1f}) run-queue wait {rq:5.1f}% vol-cs/s {vol:8.0f} invol-cs/s {inv:6.0f} last-cpu {y[4]}")
print(f"  total thread CPU {tot:.0f}% of 200%")
