#!/usr/bin/env python3
"""logreplay - replay a dm-log-writes log one write at a time, checking
every prefix (what the device held had power failed right after it).

  logreplay.py LOGDEV IMAGE CHECK_SCRIPT

IMAGE starts as the device's content when logging began (here: zeroes).
After each logged write is applied to IMAGE, CHECK_SCRIPT runs with
REPLAY_ENTRY=<index> and REPLAY_MARK=<name of the last mark logged before
this write, or empty>; a non-zero exit stops the replay and fails.
Prints the number of prefixes checked.  Log format: dm-log-writes.c.
"""
import os
import struct
import subprocess
import sys

FLUSH, FUA, DISCARD, MARK = 1, 2, 4, 8


def entries(dev):
    with open(dev, 'rb') as f:
        magic, _version, nr, ss = struct.unpack('<QQQI', f.read(28))
        if magic != 0x6a736677736872:
            sys.exit('%s: not a dm-log-writes log' % dev)
        pos = ss
        for _ in range(nr):
            f.seek(pos)
            block = f.read(ss)
            sector, nsec, flags, dlen = struct.unpack('<QQQQ', block[:32])
            pos += ss
            data = b''
            mark = block[32:32 + dlen].decode() if flags & MARK else None
            if nsec and not flags & DISCARD:
                f.seek(pos)
                data = f.read(nsec * ss)
                pos += nsec * ss
            yield sector * ss, nsec * ss, flags, mark, data


def main():
    logdev, image, check = sys.argv[1:4]
    fd = os.open(image, os.O_RDWR)
    mark, checked = '', 0
    for i, (off, size, flags, m, data) in enumerate(entries(logdev)):
        if m is not None:
            mark = m
            continue
        if flags & DISCARD:
            os.pwrite(fd, bytes(size), off)
        elif data:
            os.pwrite(fd, data, off)
        else:
            continue            # a flush: the image does not change
        os.fsync(fd)
        env = dict(os.environ, REPLAY_ENTRY=str(i), REPLAY_MARK=mark)
        if subprocess.run(['bash', check], env=env).returncode:
            sys.exit('prefix ending with log entry %d (after mark %r) failed'
                     % (i, mark))
        checked += 1
    print('%d prefixes checked' % checked)


if __name__ == '__main__':
    main()
