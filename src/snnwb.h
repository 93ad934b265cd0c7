/*
 * snnwb.h: the whole engine's interface, for the Lua layer, the UI and the
 * tests: core.h (foundations), data.h (data sets) and nn.h (networks).
 * Engine files include the narrowest of those instead.
 */
#ifndef SNNWB_H
#define SNNWB_H

#include "nn.h"

#endif
