# SPDX-License-Identifier: GPL-2.0-only
#
# tools/common.mk: how tools/remapctl and tools/remapd build their program.
# The tool's Makefile sets HERE (its directory), PROG (the program),
# SRCS and HDRS (recursively expanded: they may name $(CORE)) and its
# LDLIBS, then includes this file.

CORE := $(abspath $(HERE)/../../core)

CC ?= gcc
CFLAGS ?= -O2 -g
CFLAGS += -std=gnu11 -Wall -Wextra -Werror
CPPFLAGS += -I$(CORE) -I$(HERE)

.PHONY: all clean

all: $(HERE)/$(PROG)

$(HERE)/$(PROG): $(SRCS) $(HDRS)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $(SRCS) $(LDLIBS)

clean:
	rm -f $(HERE)/$(PROG)
