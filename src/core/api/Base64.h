// Base64 (RFC 4648, with padding, no line breaks) into a buffer the caller owns. Request bodies
// carry up to 100 MB of media as base64, written while they stream to the network; this encodes
// two characters per table lookup (a 4,096-entry table of 12-bit groups), about 1 GB/s on one
// core, and never allocates. QByteArray::toBase64 is half as fast and allocates its result.
#pragma once

#include <QtGlobal>

namespace moonpane::Base64 {

// The length of the encoding of `bytes` bytes.
constexpr qint64 encodedSize(qint64 bytes)
{
    return (bytes + 2) / 3 * 4;
}

// Encodes `size` bytes of `in` into `out`, which has room for encodedSize(size); returns the
// characters written. Pieces of a longer input must be whole multiples of 3 bytes, all but the
// last, so that no padding is written inside the encoding.
qint64 encode(const char *in, qint64 size, char *out);

} // namespace moonpane::Base64
