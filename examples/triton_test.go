package examples

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/binary"
	"encoding/pem"
	"math/big"
	"net/http"
	"testing"
	"testing/synctest"
	"time"

	tritongo "github.com/joyent/triton-go"
	"github.com/joyent/triton-go/account"
	"github.com/joyent/triton-go/authentication"
	"github.com/joyent/triton-go/compute"
	tgerrors "github.com/joyent/triton-go/errors"
	"github.com/joyent/triton-go/network"
	"github.com/mockcloud/mockcloud"
	"github.com/mockcloud/mockcloud/triton"
)

// tritonKey is an RSA key as the triton tools keep it: the private half
// in PEM, the public half as an authorized_keys line, and its MD5
// fingerprint (what triton-go's KeyID is).
type tritonKey struct {
	pem  []byte
	line string
	fp   string
}

func newTritonKey(t *testing.T) tritonKey {
	t.Helper()
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	field := func(b []byte) []byte { return append(binary.BigEndian.AppendUint32(nil, uint32(len(b))), b...) }
	mpint := func(n *big.Int) []byte {
		b := n.Bytes()
		if len(b) > 0 && b[0]&0x80 != 0 {
			b = append([]byte{0}, b...)
		}
		return field(b)
	}
	blob := append(append(field([]byte("ssh-rsa")), mpint(big.NewInt(int64(k.E)))...), mpint(k.N)...)
	line := "ssh-rsa " + base64.StdEncoding.EncodeToString(blob) + " alice@example"
	pub, err := triton.ParsePublicKey(line)
	if err != nil {
		t.Fatal(err)
	}
	return tritonKey{pem: pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(k)}),
		line: line, fp: pub.Fingerprint}
}

// tritonClients are triton-go's clients for login at the Cloud's
// CloudAPI, over the Cloud's in-memory transport.
type tritonClients struct {
	compute *compute.ComputeClient
	account *account.AccountClient
	network *network.NetworkClient
}

func newTritonClients(t *testing.T, cloud *mockcloud.Cloud, login string, key tritonKey) tritonClients {
	t.Helper()
	signer, err := authentication.NewPrivateKeySigner(authentication.PrivateKeySignerInput{
		KeyID: key.fp, PrivateKeyMaterial: key.pem, AccountName: login})
	if err != nil {
		t.Fatal(err)
	}
	cfg := &tritongo.ClientConfig{TritonURL: cloud.TritonURL(), AccountName: login, Signers: []authentication.Signer{signer}}
	c, err := compute.NewClient(cfg)
	if err != nil {
		t.Fatal(err)
	}
	a, err := account.NewClient(cfg)
	if err != nil {
		t.Fatal(err)
	}
	n, err := network.NewClient(cfg)
	if err != nil {
		t.Fatal(err)
	}
	c.Client.HTTPClient, a.Client.HTTPClient, n.Client.HTTPClient = cloud.Client(), cloud.Client(), cloud.Client()
	return tritonClients{compute: c, account: a, network: n}
}

// TestTritonGo drives CloudAPI with triton-go inside a synctest bubble,
// permissive (any well-formed signature; the account appears) and strict
// (signatures verified against the key seeded in Go and the one uploaded).
func TestTritonGo(t *testing.T) {
	for _, strict := range []bool{false, true} {
		name := "permissive"
		if strict {
			name = "strict"
		}
		t.Run(name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				opts := []mockcloud.Option{mockcloud.WithSynctest(), mockcloud.WithServices(triton.Descriptor()),
					mockcloud.Configure(triton.ServiceName, triton.WithServers(10))}
				if strict {
					opts = append(opts, mockcloud.Configure(triton.ServiceName, triton.WithStrictAuth()))
				}
				cloud := mockcloud.New(t, opts...)
				seeded := newTritonKey(t)
				if strict {
					if _, err := cloud.Triton().AddKey("alice", "seeded", seeded.line); err != nil {
						t.Fatal(err)
					}
					stranger := newTritonClients(t, cloud, "alice", newTritonKey(t))
					if _, err := stranger.compute.Packages().List(context.Background(), &compute.ListPackagesInput{}); !tgerrors.IsSpecificStatusCode(err, 401) {
						t.Fatalf("an unknown key in strict mode: %v, want 401", err)
					}
				}
				tritonGoFlow(t, cloud, newTritonClients(t, cloud, "alice", seeded), strict)
			})
		})
	}
}

func tritonGoFlow(t *testing.T, cloud *mockcloud.Cloud, tc tritonClients, strict bool) {
	ctx := context.Background()
	uploaded := newTritonKey(t)
	key, err := tc.account.Keys().Create(ctx, &account.CreateKeyInput{Name: "laptop", Key: uploaded.line})
	if err != nil || key.Fingerprint != uploaded.fp {
		t.Fatalf("CreateKey: %+v, %v", key, err)
	}
	if strict { // the uploaded key now signs too
		if _, err := newTritonClients(t, cloud, "alice", uploaded).account.Keys().List(ctx, &account.ListKeysInput{}); err != nil {
			t.Fatalf("signed with the uploaded key: %v", err)
		}
	}
	pkgs, err := tc.compute.Packages().List(ctx, &compute.ListPackagesInput{Name: "sample-1G"})
	if err != nil || len(pkgs) != 1 {
		t.Fatalf("ListPackages: %v, %v", pkgs, err)
	}
	imgs, err := tc.compute.Images().List(ctx, &compute.ListImagesInput{Name: "base-64-lts"})
	if err != nil || len(imgs) != 1 {
		t.Fatalf("ListImages: %v, %v", imgs, err)
	}
	nets, err := tc.network.List(ctx, &network.ListInput{})
	if err != nil || len(nets) != 1 || !nets[0].Public {
		t.Fatalf("ListNetworks: %v, %v", nets, err)
	}
	inst, err := tc.compute.Instances().Create(ctx, &compute.CreateInstanceInput{Name: "web-1", Package: pkgs[0].ID, Image: imgs[0].ID,
		Networks: []string{nets[0].Id}, Tags: map[string]string{"role": "web"}, Metadata: map[string]string{"color": "blue"}})
	if err != nil || inst.State != "provisioning" {
		t.Fatalf("CreateMachine: %+v, %v", inst, err)
	}
	in := instances{tc.compute.Instances(), inst.ID}
	began := time.Now()
	got := in.wait(t, "running")
	t.Logf("running after %v of bubble time", time.Since(began))
	if got.Name != "web-1" || got.Tags["role"] != "web" || got.Metadata["color"] != "blue" || got.Package != "sample-1G" || got.PrimaryIP == "" {
		t.Errorf("GetMachine: %+v", got)
	}
	list, err := tc.compute.Instances().List(ctx, &compute.ListInstancesInput{State: "running", Tags: map[string]interface{}{"role": "web"}})
	if err != nil || len(list) != 1 || list[0].ID != inst.ID {
		t.Errorf("ListMachines with filters: %v, %v", list, err)
	}
	if list, _ := tc.compute.Instances().List(ctx, &compute.ListInstancesInput{Name: "nope"}); len(list) != 0 {
		t.Errorf("ListMachines name=nope: %d", len(list))
	}
	tgMust(t, tc.compute.Instances().Stop(ctx, &compute.StopInstanceInput{InstanceID: inst.ID}))
	in.wait(t, "stopped")
	tgMust(t, tc.compute.Instances().Start(ctx, &compute.StartInstanceInput{InstanceID: inst.ID}))
	in.wait(t, "running")
	tgMust(t, tc.compute.Instances().Rename(ctx, &compute.RenameInstanceInput{ID: inst.ID, Name: "web-2"}))
	tgMust(t, tc.compute.Instances().AddTags(ctx, &compute.AddTagsInput{ID: inst.ID, Tags: map[string]string{"tier": "front"}}))
	_, err = tc.compute.Instances().UpdateMetadata(ctx, &compute.UpdateMetadataInput{ID: inst.ID, Metadata: map[string]string{"size": "3"}})
	tgMust(t, err)
	time.Sleep(10 * time.Second) // the update jobs end
	if got := in.get(t); got.Name != "web-2" {
		t.Errorf("renamed: %q", got.Name)
	}
	if v, err := tc.compute.Instances().GetTag(ctx, &compute.GetTagInput{ID: inst.ID, Key: "tier"}); v != "front" || err != nil {
		t.Errorf("GetTag: %q, %v", v, err)
	}
	// CloudAPI sends a single value as a JSON string; triton-go at this
	// version hands back the body as it came (later versions decode it).
	if v, err := tc.compute.Instances().GetMetadata(ctx, &compute.GetMetadataInput{ID: inst.ID, Key: "size"}); v != `"3"` || err != nil {
		t.Errorf("GetMetadata: %q, %v", v, err)
	}
	snap, err := tc.compute.Snapshots().Create(ctx, &compute.CreateSnapshotInput{MachineID: inst.ID, Name: "before"})
	if err != nil || snap.State != "queued" {
		t.Fatalf("CreateSnapshot: %+v, %v", snap, err)
	}
	time.Sleep(10 * time.Second)
	if snap, err = tc.compute.Snapshots().Get(ctx, &compute.GetSnapshotInput{MachineID: inst.ID, Name: "before"}); err != nil || snap.State != "created" {
		t.Errorf("GetSnapshot: %+v, %v", snap, err)
	}
	tgMust(t, tc.compute.Instances().Delete(ctx, &compute.DeleteInstanceInput{ID: inst.ID}))
	time.Sleep(10 * time.Second)
	gone, err := tc.compute.Instances().Get(ctx, &compute.GetInstanceInput{ID: inst.ID})
	if !tgerrors.IsSpecificStatusCode(err, http.StatusGone) || gone == nil || gone.State != "deleted" {
		t.Errorf("GetMachine after delete: %+v, %v, want 410 with the machine", gone, err)
	}
}

type instances struct {
	c  *compute.InstancesClient
	id string
}

func (in instances) get(t *testing.T) *compute.Instance {
	t.Helper()
	got, err := in.c.Get(context.Background(), &compute.GetInstanceInput{ID: in.id})
	if err != nil {
		t.Fatalf("GetMachine: %v", err)
	}
	return got
}

// wait polls every second, as a deploy script would, for a minute of
// bubble time.
func (in instances) wait(t *testing.T, state string) *compute.Instance {
	t.Helper()
	for i := 0; i < 60; i++ {
		if got := in.get(t); got.State == state {
			return got
		}
		time.Sleep(time.Second)
	}
	t.Fatalf("machine %s never %s", in.id, state)
	return nil
}

func tgMust(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
