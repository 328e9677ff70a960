package kit

import (
	"encoding/binary"
	"hash/fnv"
	"math/rand/v2"
	"strings"
	"sync"

	"github.com/google/uuid"
)

// RNG is a seeded, concurrency-safe random source. Every ID a fake generates
// and every probabilistic fault draws from one, so two runs with the same seed
// and the same requests produce the same IDs and the same failures.
//
// It is a PCG generator: 16 bytes of state, seeded at once, so a Cloud can
// give every service and region a stream of its own for nothing.
type RNG struct {
	mu sync.Mutex
	r  *rand.Rand
}

// NewRNG returns a source seeded with seed.
func NewRNG(seed int64) *RNG {
	return &RNG{r: rand.New(rand.NewPCG(uint64(seed), 0x9e3779b97f4a7c15))}
}

// StreamSeed derives the seed of one named stream ("compute/DFW",
// "faults") from a root seed: streams of one seed are independent, so
// drawing from one never shifts another.
func StreamSeed(seed int64, name string) int64 {
	h := fnv.New64a()
	var b [8]byte
	binary.LittleEndian.PutUint64(b[:], uint64(seed))
	h.Write(b[:])
	h.Write([]byte(name))
	return int64(h.Sum64())
}

// Read fills p with random bytes; it never fails. It makes the source an
// io.Reader for deterministic key material (ed25519.NewKeyFromSeed).
func (g *RNG) Read(p []byte) (int, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.readLocked(p)
	return len(p), nil
}

func (g *RNG) readLocked(p []byte) {
	var word [8]byte
	for len(p) > 0 {
		binary.LittleEndian.PutUint64(word[:], g.r.Uint64())
		p = p[copy(p, word[:]):]
	}
}

// UUID returns a version 4 UUID drawn from the source.
func (g *RNG) UUID() string {
	var id uuid.UUID
	g.mu.Lock()
	g.readLocked(id[:])
	g.mu.Unlock()
	id[6] = (id[6] & 0x0f) | 0x40 // version 4
	id[8] = (id[8] & 0x3f) | 0x80 // RFC 4122 variant
	return id.String()
}

// Hex returns n random lowercase hexadecimal digits.
func (g *RNG) Hex(n int) string {
	return g.fromAlphabet(n, "0123456789abcdef")
}

// Digits returns n random decimal digits, the first never zero (Rackspace-style
// numeric tenant and account IDs).
func (g *RNG) Digits(n int) string {
	if n <= 0 {
		return ""
	}
	return g.fromAlphabet(1, "123456789") + g.fromAlphabet(n-1, "0123456789")
}

// Alnum returns n random letters and digits (passwords, keys).
func (g *RNG) Alnum(n int) string {
	return g.fromAlphabet(n, "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789")
}

func (g *RNG) fromAlphabet(n int, alphabet string) string {
	g.mu.Lock()
	defer g.mu.Unlock()
	var b strings.Builder
	b.Grow(n)
	for i := 0; i < n; i++ {
		b.WriteByte(alphabet[g.r.IntN(len(alphabet))])
	}
	return b.String()
}

// Float64 returns a number in [0, 1).
func (g *RNG) Float64() float64 {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.r.Float64()
}

// Intn returns a number in [0, n); n must be positive.
func (g *RNG) Intn(n int) int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.r.IntN(n)
}
