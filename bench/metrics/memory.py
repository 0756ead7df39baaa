"""Peak memory of a benchmark child process, shared by the metrics benches."""

import resource


def peak_mb() -> float:
    """This process's peak resident memory, in MB.

    Linux carries ``ru_maxrss`` across fork and exec, so a child started by a parent
    that had just generated gigabytes of inputs reports the parent's peak (3.7 GB at
    practice level): the high-water mark of this process's own memory (``VmHWM``) is
    read instead, and ``ru_maxrss`` only where there is no /proc.
    """
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024.0
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
