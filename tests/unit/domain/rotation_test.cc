#include "tocsin/domain/rotation.h"
