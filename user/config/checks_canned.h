/* SPDX-License-Identifier: GPL-2.0-only */
/* HAProxy's canned health checks (option redis-check, mysql-check, ...) as rule lists. */
#ifndef RPILB_CONFIG_CHECKS_CANNED_H
#define RPILB_CONFIG_CHECKS_CANNED_H

#include <stdbool.h>

#include "config/checks.h"

enum cfg_canned {
	CFG_CANNED_REDIS, /* option redis-check */
	CFG_CANNED_SMTP, /* option smtpchk [HELO|EHLO domain]: arg1 verb, arg2 domain */
	CFG_CANNED_MYSQL, /* option mysql-check [user U [pre-41]]: arg1 user, flag pre-41 */
	CFG_CANNED_PGSQL, /* option pgsql-check user U: arg1 user */
	CFG_CANNED_LDAP, /* option ldap-check */
	CFG_CANNED_SSL_HELLO, /* option ssl-hello-chk */
};

/* Replace c's rules by the canned check's. 0, -ENOMEM, or -EINVAL (an argument too long). */
int cfg_check_canned(struct cfg_check *c, enum cfg_canned which, const char *arg1, const char *arg2,
		     bool flag, unsigned int line);

#endif
