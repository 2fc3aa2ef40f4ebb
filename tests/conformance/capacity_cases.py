"""Shared expectations for ReturnConsumedCapacity (AWS Developer Guide, "Capacity unit
consumption"): reads in 4 KB units (half when eventually consistent), writes in 1 KB units,
sizes as AWS computes them (attribute name bytes + value bytes)."""
import math


def read_units(size, consistent):
    units = max(1, math.ceil(size / 4096))
    return float(units if consistent else units / 2)


def write_units(size):
    return float(max(1, math.ceil(size / 1024)))


def consumed(table, units, report='TOTAL'):
    """The ConsumedCapacity AWS answers for a single-table, index-less request."""
    out = {'TableName': table, 'CapacityUnits': units}
    if report == 'INDEXES':
        out['Table'] = {'CapacityUnits': units}
    return out


def item_of_size(size, pk='a', key_name='pk'):
    """An item of exactly `size` bytes: the key plus a string attribute 'd' filling the rest."""
    base = len(key_name) + len(pk) + len('d')
    assert size >= base
    return {key_name: {'S': pk}, 'd': {'S': 'x' * (size - base)}}
