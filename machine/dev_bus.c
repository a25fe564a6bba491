/*
 * dev_bus.c - how a load or store of any width reaches a device's word
 * registers (see dev_bus_load in devices.h).
 */
#include "devices.h"

static uint32_t size_mask(unsigned size)
{
	return size >= 4 ? 0xffffffffu : (1u << (size * 8)) - 1;
}

uint32_t dev_bus_load(const struct dev_ops *ops, void *dev, uint32_t offset,
		      unsigned size)
{
	if (offset & 3) /* a byte inside a register, not its start */
		return 0;
	return ops->read(dev, offset) & size_mask(size);
}

void dev_bus_store(const struct dev_ops *ops, void *dev, uint32_t offset,
		   unsigned size, uint32_t value)
{
	if (!(offset & 3))
		ops->write(dev, offset, value & size_mask(size));
}
