/* corpus: behaviour declared through a function typedef */
#include <alox.h>
struct alox_actor a { int n; };
typedef void handler(struct a *self, char *text);
alox_behave handler on_text;
