// SPDX-License-Identifier: GPL-2.0-only
/*
 * remapctl - tool for dm-remap: its persistent metadata (offline) and
 * loaded devices (online, online.c).
 *
 *   remapctl check   <spare_dev> [--spare-start N] [--repair]
 *   remapctl dump    <spare_dev> [--spare-start N] [--json]
 *   remapctl restore <spare_dev> --from <dump.json> [--spare-start N]
 *                    [--force]
 *   remapctl import  <dm_name> [FILE|-] [-b N | --sectors | --ddrescue] ...
 *   remapctl status  [--json] [<dm_name>...]
 *   remapctl list    <dm_name> [--json]
 *   remapctl remap|unremap <dm_name> <sector>[+<count>]
 *   remapctl watch   [--count N]
 *   remapctl scrub   <dm_name> start|pause|resume|cancel|rate|slow-ms|wait
 *   remapctl protect <dm_name> [--size SIZE] [--tail SIZE]
 *   remapctl unprotect <dm_name>
 *
 * This file: the table of commands and main(); remapctl.h says which file
 * holds which command.  The offline commands
 * read (and restore writes) the metadata area at the start of a
 * dm-remap spare area, on a device or an image file, with plain pread and
 * pwrite; no device-mapper involved.  The bytes are encoded and checked by
 * core/remap_meta.c, the codec the kernel module uses too.  See
 * docs/remapctl.md and remapctl(8).
 */
#include <stdio.h>
#include <string.h>

#include "assemble.h"
#include "remap_version.h"
#include "remapctl.h"
#include "online.h"
#include "protect.h"

static const char usage_main[] =
"Usage: remapctl <command> [options]\n"
"\n"
"Tool for dm-remap: offline, for its on-disk metadata (format versions 1\n"
"and 2), kept at the start of a dm-remap spare area (a block device or an\n"
"image file, no device-mapper needed); online, for a loaded dm-remap\n"
"device.\n"
"\n"
"Offline commands (on a spare device no table is using):\n"
"  check <spare_dev>     verify both copies of every metadata block\n"
"  dump <spare_dev>      print the superblock and the remap table\n"
"  restore <spare_dev>   write a new metadata area from a JSON dump\n"
"\n"
"Online commands (on a loaded dm-remap device, through libdevmapper):\n"
"  import <dm_name> [FILE]  remap the blocks a badblocks(8) list or a\n"
"                           ddrescue mapfile (--ddrescue) names\n"
"  status [<dm_name>...]    the status of the named (or every) device, one\n"
"                           named field a line (--json: named fields)\n"
"  list <dm_name>           the remapped units\n"
"  remap <dm_name> <sector>[+<count>]    remap the units holding them\n"
"  unremap <dm_name> <sector>[+<count>]  move them back to the main device\n"
"  watch                    a live view of every device, redrawn on events\n"
"  scrub <dm_name> start|pause|resume|cancel|rate|slow-ms|wait\n"
"                           drive the background scrub (--wait: progress)\n"
"  assemble <name>...|--all create (--stop: remove) the devices of /etc/remaptab\n"
"  protect <dm_name>        hide the raw main device's signatures (file\n"
"                           system, LVM, partition table) behind a member\n"
"                           signature; unprotect <dm_name> undoes it\n"
"  assemble --scan [<name>...]  the devices whose metadata names them\n"
"  identify <dm_name>       record its name and its main device's identity\n"
"                           in its metadata, for assemble --scan\n"
"\n"
"remapctl <command> --help shows a command's options and exit statuses;\n"
"remapctl --version prints the dm-remap version it belongs to.\n";


/* ---- main ---- */

static int cmd_remap_on(int argc, char **argv)
{
	return cmd_remap(argc, argv, true);
}

static int cmd_unremap(int argc, char **argv)
{
	return cmd_remap(argc, argv, false);
}

/* Every command: its name, its --help text and what runs it. */
static const struct command {
	const char *name;
	const char *usage;
	int (*run)(int argc, char **argv);
} commands[] = {
	{ "check", usage_check, cmd_check },
	{ "dump", usage_dump, cmd_dump },
	{ "restore", usage_restore, cmd_restore },
	{ "import", usage_import, cmd_import },
	{ "status", usage_status, cmd_status },
	{ "list", usage_list, cmd_list },
	{ "remap", usage_remap, cmd_remap_on },
	{ "unremap", usage_remap, cmd_unremap },
	{ "watch", usage_watch, cmd_watch },
	{ "scrub", usage_scrub, cmd_scrub },
	{ "assemble", usage_assemble, cmd_assemble },
	{ "protect", usage_protect, cmd_protect },
	{ "unprotect", usage_protect, cmd_unprotect },
	{ "identify", usage_identify, cmd_identify },
};

static const struct command *command_by_name(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(commands[i].name, name))
			return &commands[i];
	return NULL;
}

int main(int argc, char **argv)
{
	const struct command *c;
	const char *cmd;

	if (argc < 2)
		return uerr(NULL, "missing command");
	cmd = argv[1];
	if (!strcmp(cmd, "-h") || !strcmp(cmd, "--help") ||
	    !strcmp(cmd, "help")) {
		if (argc > 2 && !strcmp(cmd, "help")) {
			c = command_by_name(argv[2]);
			if (!c)
				return uerr(NULL, "unknown command '%s'",
						   argv[2]);
			fputs(c->usage, stdout);
			return EXIT_HEALTHY;
		}
		fputs(usage_main, stdout);
		return EXIT_HEALTHY;
	}
	if (!strcmp(cmd, "--version") || !strcmp(cmd, "-V")) {
		if (argc > 2)
			return uerr(NULL, "unexpected argument '%s'",
					   argv[2]);
		printf("remapctl (dm-remap) %s\n", DM_REMAP_VERSION);
		return EXIT_HEALTHY;
	}
	c = command_by_name(cmd);
	if (c)
		return c->run(argc - 2, argv + 2);
	if (cmd[0] == '-')
		return uerr(NULL, "unknown option '%s'", cmd);
	return uerr(NULL, "unknown command '%s'", cmd);
}

