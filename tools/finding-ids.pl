#!/usr/bin/perl
# Every finding_add() call in the C sources given, one line each:
#   FILE:LINE LEVEL ID
# LEVEL is fail, warn or info (a choice of two when the call picks one, e.g.
# "fail|warn"); ID is the id literal (each of a ?: pair on its own line).
# A call whose id is memdev_fid(d, "WHAT") (the device type's prefix, then WHAT) prints
# ID as "*-WHAT": at least one PREFIX-WHAT must have a row, and every such row may be
# emitted there. A call whose id is not a literal prints ID as "-": the line must carry the
# comment "finding id: passed on" (a finding copied from another list, whose
# own call is listed where it was made). The FAIL/WARN/INFO macros of the
# rules count as calls, and nvd-check's out_check(o, ID, title, R_RESULT, ...)
# (LEVEL pass for R_PASS). Used by t/findings.bats.
use strict;
use warnings;

my $bad = 0;
for my $file (@ARGV) {
	open(my $fh, '<', $file) or die "$file: $!\n";
	my $src = do { local $/; <$fh> };
	close $fh;
	while ($src =~ /\b(FAIL|WARN|INFO|finding_add|out_check(?=\s*\(\s*o\s*,))\s*\(/g) {
		my ($kind, $start) = ($1, pos($src));
		my $line = 1 + (substr($src, 0, $start) =~ tr/\n//);
		my $lineend = index($src, "\n", $start);
		my $before = substr($src, 0, $start);
		my $linetext = substr($before, rindex($before, "\n") + 1) . substr($src, $start, $lineend - $start);
		next if $linetext =~ /^\s*#\s*define\b/;		# the macros themselves
		next if $linetext =~ /^\s*(void|static|extern)\b.*finding_add/;	# its declaration
		# the arguments, split at top-level commas
		my ($depth, $cur, $in_str, @args) = (0, '', 0);
		for (my $i = $start; $i < length($src); $i++) {
			my $c = substr($src, $i, 1);
			if ($in_str) {
				$cur .= $c;
				if ($c eq '\\') { $cur .= substr($src, ++$i, 1); next; }
				$in_str = 0 if $c eq '"';
				next;
			}
			if ($c eq '"') { $in_str = 1; $cur .= $c; next; }
			if ($c eq '(' || $c eq '[' || $c eq '{') { $depth++; }
			if ($c eq ')' || $c eq ']' || $c eq '}') {
				if ($depth == 0) { push @args, $cur; last; }
				$depth--;
			}
			if ($c eq ',' && $depth == 0) { push @args, $cur; $cur = ''; next; }
			$cur .= $c;
		}
		next if @args < 3;	# a mention in a comment: "finding_add()"
		my ($level, $id);
		if ($kind eq 'finding_add') {
			($level, $id) = ($args[1], $args[2]);
		} elsif ($kind eq 'out_check') {
			# nvd-check's checks: out_check(o, ID, title, R_PASS|R_WARN|R_FAIL|R_INFO, ...)
			($level, $id) = ($args[3], $args[1]);
			$level =~ s/\bR_(PASS|WARN|FAIL|INFO)\b/LEVEL_$1/g;
		} else {
			($level, $id) = (lc $kind, $args[1]);
		}
		my @levels = $level =~ /LEVEL_(FAIL|WARN|INFO|PASS)/g;
		$level = lc(join('|', @levels)) if @levels;
		$level = '?' if $level !~ /^(fail|warn|info|pass)(\|(fail|warn|info|pass))*$/;
		# memdev_fid(d, "what"): the type's prefix and "what" (dimm-what, memdev-what)
		my @ids = $id =~ /\bmemdev_fid\s*\([^,]*,\s*"([^"]*)"\s*\)/ ? ("*-$1") : $id =~ /"([^"]*)"/g;
		if (!@ids) {
			if ($linetext =~ m{finding id: passed on}) {
				print "$file:$line $level -\n";
			} else {
				print STDERR "$file:$line: the finding id is not a literal: $id\n";
				$bad = 1;
			}
			next;
		}
		print "$file:$line $level $_\n" for @ids;
	}
}
exit $bad;
