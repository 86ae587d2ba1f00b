package cache

import (
	"bytes"
	"encoding/binary"
	"math"
	"reflect"
	"slices"
)

// AppendKey appends a compact binary encoding of v to buf: every field of
// every struct (recursively), element of every slice and array, entry of
// every map (in key order), and what every pointer points to, each string
// and collection with its length and each pointer with a nil mark, so two
// values encode alike only if they are equal, whatever fields their type
// gains later. It is a cache key, cheaper than JSON: nothing is escaped
// and nothing is named. ok is false for a value that holds something it
// cannot read (a func, a channel, an interface, an unexported field);
// callers then do without the cache.
func AppendKey(buf []byte, v any) (out []byte, ok bool) {
	return appendValue(buf, reflect.ValueOf(v))
}

func appendValue(b []byte, v reflect.Value) ([]byte, bool) {
	switch v.Kind() {
	case reflect.String:
		b = binary.AppendUvarint(b, uint64(v.Len()))
		return append(b, v.String()...), true
	case reflect.Bool:
		if v.Bool() {
			return append(b, 1), true
		}
		return append(b, 0), true
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return binary.AppendVarint(b, v.Int()), true
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return binary.AppendUvarint(b, v.Uint()), true
	case reflect.Float32, reflect.Float64:
		return binary.LittleEndian.AppendUint64(b, math.Float64bits(v.Float())), true
	case reflect.Pointer:
		if v.IsNil() {
			return append(b, 0), true
		}
		return appendValue(append(b, 1), v.Elem())
	case reflect.Slice, reflect.Array:
		return appendList(b, v)
	case reflect.Struct:
		return appendStruct(b, v)
	case reflect.Map:
		return appendMap(b, v)
	}
	return b, false
}

func appendList(b []byte, v reflect.Value) ([]byte, bool) {
	if v.Kind() == reflect.Slice && v.Type().Elem().Kind() == reflect.Uint8 {
		b = binary.AppendUvarint(b, uint64(v.Len()))
		return append(b, v.Bytes()...), true
	}
	b = binary.AppendUvarint(b, uint64(v.Len()))
	for i := range v.Len() {
		var ok bool
		if b, ok = appendValue(b, v.Index(i)); !ok {
			return b, false
		}
	}
	return b, true
}

func appendStruct(b []byte, v reflect.Value) ([]byte, bool) {
	t := v.Type()
	for i := range v.NumField() {
		if !t.Field(i).IsExported() {
			return b, false
		}
		var ok bool
		if b, ok = appendValue(b, v.Field(i)); !ok {
			return b, false
		}
	}
	return b, true
}

// appendMap encodes entries in the order of their keys' encodings, so
// equal maps encode alike whatever order they iterate in.
func appendMap(b []byte, v reflect.Value) ([]byte, bool) {
	type entry struct{ k, v []byte }
	entries := make([]entry, 0, v.Len())
	for it := v.MapRange(); it.Next(); {
		k, ok := appendValue(nil, it.Key())
		if !ok {
			return b, false
		}
		e, ok := appendValue(nil, it.Value())
		if !ok {
			return b, false
		}
		entries = append(entries, entry{k, e})
	}
	slices.SortFunc(entries, func(x, y entry) int { return bytes.Compare(x.k, y.k) })
	b = binary.AppendUvarint(b, uint64(len(entries)))
	for _, e := range entries {
		b = append(append(b, e.k...), e.v...)
	}
	return b, true
}
