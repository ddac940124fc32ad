#!/usr/bin/env python3
"""metatool - poke at a dm-remap metadata area for tests.

Works on 4096-byte metadata blocks counted from a spare_start (sectors),
as laid out in docs/metadata-format.md.  Used by the guest tests to make
corruptions that a checksum alone would not catch (they "reseal" the block
with a correct CRC-32C) and ones it would (flip, tear).

  metatool.py flip   DEV START BLOCK BYTE        flip bit 0 of a byte
  metatool.py set    DEV START BLOCK OFF SIZE VAL  write a LE integer, reseal
  metatool.py reseal DEV START BLOCK              recompute the crc
  metatool.py get    DEV START BLOCK OFF SIZE     print a LE integer
"""
import os
import struct
import sys

BLOCK = 4096


def crc32c(data):
    crc = 0xFFFFFFFF
    for b in data:
        crc ^= b
        for _ in range(8):
            crc = (crc >> 1) ^ (0x82F63B78 if crc & 1 else 0)
    return crc ^ 0xFFFFFFFF


def io(dev, start, block, data=None):
    fd = os.open(dev, os.O_RDWR if data is not None else os.O_RDONLY)
    off = start * 512 + block * BLOCK
    try:
        if data is None:
            return os.pread(fd, BLOCK, off)
        os.pwrite(fd, data, off)
        os.fsync(fd)
    finally:
        os.close(fd)


def reseal(b):
    b = bytearray(b)
    b[4:8] = struct.pack('<I', crc32c(bytes(b[8:])))
    return bytes(b)


def main(argv):
    cmd, dev, start, block = argv[1], argv[2], int(argv[3]), int(argv[4])
    b = bytearray(io(dev, start, block))
    if cmd == 'flip':
        b[int(argv[5])] ^= 1
    elif cmd == 'set':
        off, size, val = int(argv[5]), int(argv[6]), int(argv[7], 0)
        b[off:off + size] = val.to_bytes(size, 'little')
        b = bytearray(reseal(b))
    elif cmd == 'reseal':
        b = bytearray(reseal(b))
    elif cmd == 'get':
        off, size = int(argv[5]), int(argv[6])
        print(int.from_bytes(b[off:off + size], 'little'))
        return 0
    else:
        print(__doc__, file=sys.stderr)
        return 2
    io(dev, start, block, bytes(b))
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
