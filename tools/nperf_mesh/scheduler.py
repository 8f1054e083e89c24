"""Runs the plan: one test at a time by default, or up to K at once, never
two on one node at the same time (a node's NIC, CPUs and its one nperf
server per side are shared: concurrent tests there would measure each
other). Progress goes to stderr when it is a terminal."""
import concurrent.futures
import time


def eta_seconds(elapsed, done, remaining):
    """Seconds left at the pace of this run so far; None before the first test ends."""
    if done <= 0:
        return None
    return elapsed / done * remaining


def format_duration(seconds):
    if seconds is None:
        return "?"
    seconds = int(round(seconds))
    hours, rest = divmod(seconds, 3600)
    return f"{hours}:{rest // 60:02d}:{rest % 60:02d}" if hours else f"{rest // 60}:{rest % 60:02d}"


class Progress:
    """One rewritten line: tests done of the total, ETA, what runs now."""

    def __init__(self, stream, total, already_done, clock=time.monotonic):
        self.stream, self.total, self.already = stream, total, already_done
        self.clock = clock
        self.started = clock()
        self.enabled = hasattr(stream, "isatty") and stream.isatty()
        self.shown = False

    def line(self, done_now, running):
        done = self.already + done_now
        eta = eta_seconds(self.clock() - self.started, done_now, self.total - done)
        what = ", ".join(f"{t.path} {t.source.node}->{t.destination.node}" for t in running)
        return f"nperf-mesh: {done}/{self.total} tests done, ETA {format_duration(eta)}" + \
            (f", running {what}" if what else "")

    def update(self, done_now, running):
        if self.enabled:
            self.stream.write("\r\033[K" + self.line(done_now, running))
            self.stream.flush()
            self.shown = True

    def finish(self):
        if self.shown:
            self.stream.write("\n")
            self.stream.flush()


def run_all(tests, execute, on_done, concurrency=1, progress=None, stop=lambda: None):
    """Calls execute(test) (in a worker thread) for every test and then
    on_done(test, outcome) (in this thread, in completion order). On
    KeyboardInterrupt, calls stop() to kill running clients, drops their
    outcomes and re-raises."""
    pending = list(tests)
    running = {}  # future -> test
    done = 0
    busy_nodes = set()
    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, concurrency)) as pool:
        try:
            while pending or running:
                for test in _startable(pending, busy_nodes, max(1, concurrency) - len(running)):
                    pending.remove(test)
                    busy_nodes |= _nodes(test)
                    running[pool.submit(execute, test)] = test
                if progress:
                    progress.update(done, list(running.values()))
                finished, _ = concurrent.futures.wait(running, timeout=1.0,
                                                      return_when=concurrent.futures.FIRST_COMPLETED)
                for future in sorted(finished, key=lambda f: running[f].index):
                    test = running.pop(future)
                    busy_nodes -= _nodes(test)
                    on_done(test, future.result())
                    done += 1
        except BaseException:
            stop()
            pool.shutdown(wait=True, cancel_futures=True)
            raise
        finally:
            if progress:
                progress.finish()
    return done


def _nodes(test):
    return {test.source.node, test.destination.node}


def _startable(pending, busy_nodes, slots):
    """The first tests in plan order whose nodes are free, at most `slots`."""
    chosen, taken = [], set(busy_nodes)
    for test in pending:
        if len(chosen) >= slots:
            break
        if not (_nodes(test) & taken):
            chosen.append(test)
            taken |= _nodes(test)
    return chosen
