#!/bin/sh
# db/embed-lessons.sh FILE... - the lesson library as C: one struct
# lesson_src (repl/store.h) per scenarios/NN-name.vml, its text a string.
# The binary loads them into the store on first use; a lesson's version
# decides when a newer one replaces the stored one.
echo '/* Made by db/embed-lessons.sh from scenarios/: do not edit. */'
echo '#include "store.h"'
echo 'const struct lesson_src builtin_lessons[] = {'
for f in "$@"; do
	name=$(basename "$f" .vml)
	printf '\t{"%s",\n' "$name"
	sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' -e 's/?/\\?/g' -e 's/^/\t "/' -e 's/$/\\n"/' "$f"
	printf '\t},\n'
done
echo '};'
echo 'const unsigned long builtin_lessons_count ='
echo '	sizeof(builtin_lessons) / sizeof(builtin_lessons[0]);'
