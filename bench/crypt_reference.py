#!/usr/bin/env python3
"""A reference decryptor for the aigis-encrypt v1 format, written from
docs/model-encryption.md alone (needs the `cryptography` package).

    crypt_reference.py --vectors            # check the document's vectors
    crypt_reference.py FILE KEYHEX > OUT    # decrypt a file (whole file in memory)
"""
import hashlib, hmac, re, struct, sys
from pathlib import Path
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives import hashes


def decrypt(data: bytes, master: bytes) -> bytes:
    if len(data) < 111:
        raise ValueError("truncated header")
    h = data[:111]
    if h[:8] != b"AIGISENC" or h[8] != 1 or h[9] != 1 or h[10:12] != b"\0\0":
        raise ValueError("not a v1 file")
    seg, length = struct.unpack(">IQ", h[12:24])
    key_id, salt, prefix, tag = h[24:40], h[40:72], h[72:79], h[79:111]
    if not 16 <= seg <= 8 << 20:
        raise ValueError("segment size")
    if hmac.new(master, b"aigis-encrypt v1 key id", hashlib.sha256).digest()[:16] != key_id:
        raise ValueError("wrong key")
    okm = HKDF(hashes.SHA256(), 64, salt, b"aigis-encrypt v1 keys").derive(master)
    if not hmac.compare_digest(hmac.new(okm[32:], h[:79], hashlib.sha256).digest(), tag):
        raise ValueError("header modified")
    n = max(1, -(-length // seg))
    if len(data) != 111 + length + 16 * n:
        raise ValueError("wrong length")
    aead, out, pos = AESGCM(okm[:32]), [], 111
    for i in range(n):
        size = min(seg, length - i * seg) + 16
        nonce = prefix + struct.pack(">I", i) + (b"\1" if i == n - 1 else b"\0")
        out.append(aead.decrypt(nonce, data[pos:pos + size], h))
        pos += size
    return b"".join(out)


def vectors():
    doc = (Path(__file__).parent.parent / "docs/model-encryption.md").read_text()
    for block in re.findall(r"```vector\n(.*?)```", doc, re.S):
        v, last = {}, None
        for line in block.splitlines():
            if ":" in line:
                last, val = (s.strip() for s in line.split(":", 1))
                v[last] = val
            elif line.strip():
                v[last] += line.strip()
        plain = decrypt(bytes.fromhex(v["ciphertext"]), bytes.fromhex(v["master_key"]))
        assert plain == bytes.fromhex(v["plaintext"]), v["name"]
        print(f"{v['name']}: ok ({len(plain)} bytes)")


if __name__ == "__main__":
    if sys.argv[1:] == ["--vectors"]:
        vectors()
    else:
        sys.stdout.buffer.write(decrypt(Path(sys.argv[1]).read_bytes(), bytes.fromhex(sys.argv[2])))
