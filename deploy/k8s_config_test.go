package deploy

import (
	"flag"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/caisbot/caisbot/dialogs"
)

// The ConfigMaps, the Secret template and the bundled Redis.

var update = flag.Bool("update", false, "rewrite deploy/kubernetes/roadmap-configmap.yaml from dialogs/roadmap.yaml")

func TestConfigMapSettings(t *testing.T) {
	m := loadManifests(t)
	var cm configMap
	d := m.get(t, "ConfigMap", "caisbot-config", &cm)
	checkStringValues(t, d, "data")
	checkEnv(t, d.where(), cm.Data)
	for _, k := range []string{"CAIS_LISTEN_ADDR", "CAIS_ROADMAP_FILE"} {
		if cm.Data[k] == "" {
			t.Errorf("%s: %s is not set", d.where(), k)
		}
	}
	for k := range cm.Data {
		if strings.HasPrefix(k, "SLACK_") && k != "SLACK_API_URL" || k == "REDIS_URL" {
			t.Errorf("%s: %s is a secret; it belongs in the Secret", d.where(), k)
		}
	}
}

// placeholder matches the template's stand-ins for real credentials.
var placeholder = regexp.MustCompile(`REPLACE`)

func TestSecretTemplateHasPlaceholdersOnly(t *testing.T) {
	m := loadManifests(t)
	var s secret
	d := m.get(t, "Secret", "caisbot-secrets", &s)
	checkStringValues(t, d, "stringData")
	if len(s.Data) > 0 {
		t.Errorf("%s: use stringData with placeholders, not base64 data", d.where())
	}
	checkEnv(t, d.where(), s.StringData)
	for _, k := range []string{"SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET"} {
		if !placeholder.MatchString(s.StringData[k]) {
			t.Errorf("%s: %s = %q; want a REPLACE… placeholder", d.where(), k, s.StringData[k])
		}
	}
	for k, v := range s.StringData {
		if placeholder.MatchString(v) {
			continue
		}
		// Only a password-less URL of the bundled Redis may be literal.
		u, err := url.Parse(v)
		if k != "REDIS_URL" || err != nil || u.User != nil {
			t.Errorf("%s: %s is neither a placeholder nor a password-less REDIS_URL", d.where(), k)
			continue
		}
		var svc service
		m.get(t, "Service", u.Hostname(), &svc) // names the bundled Redis' Service
	}
}

func TestRedisStatefulSet(t *testing.T) {
	m := loadManifests(t)
	var st statefulSet
	d := m.get(t, "StatefulSet", "caisbot-redis", &st)
	m.get(t, "Service", st.Spec.ServiceName, nil)
	if st.Spec.Replicas != 1 {
		t.Errorf("%s: replicas %d; a plain Redis StatefulSet is one primary, not a replicated set", d.where(), st.Spec.Replicas)
	}
	pod := st.Spec.Template.Spec
	if len(pod.Containers) != 1 {
		t.Fatalf("%s: %d containers", d.where(), len(pod.Containers))
	}
	c := pod.Containers[0]
	if !strings.HasPrefix(c.Image, "redis:7") {
		t.Errorf("image %q; want redis:7", c.Image)
	}
	checkRedisPersistence(t, d.where(), append(c.Command, c.Args...))
	var data string
	for _, vm := range c.VolumeMounts {
		if vm.MountPath == "/data" {
			data = vm.Name
		}
	}
	if len(st.Spec.VolumeClaimTemplates) != 1 || st.Spec.VolumeClaimTemplates[0].Metadata.Name != data {
		t.Errorf("%s: /data must be a volumeClaimTemplate (persistent), mounted from %q", d.where(), data)
	}
	for name, p := range map[string]*probe{"liveness": c.LivenessProbe, "readiness": c.ReadinessProbe} {
		if p == nil || p.Exec == nil || !slices.Equal(p.Exec.Command, []string{"redis-cli", "ping"}) {
			t.Errorf("%s: %s probe; want redis-cli ping", d.where(), name)
		}
	}
	sc := merged(pod.SecurityContext, c.SecurityContext)
	if sc.RunAsNonRoot == nil || !*sc.RunAsNonRoot || sc.AllowPrivilegeEscalation == nil || *sc.AllowPrivilegeEscalation {
		t.Errorf("%s: Redis must run as non-root without privilege escalation", d.where())
	}
}

// checkRedisPersistence wants the settings README.md's "Deploying" section recommends:
// append-only file fsynced every second, and no eviction of the trail.
func checkRedisPersistence(t *testing.T, where string, args []string) {
	t.Helper()
	want := map[string]string{"--appendonly": "yes", "--appendfsync": "everysec", "--maxmemory-policy": "noeviction"}
	for flag, v := range want {
		i := slices.Index(args, flag)
		if i < 0 || i+1 >= len(args) || args[i+1] != v {
			t.Errorf("%s: Redis arguments %q; want %s %s", where, args, flag, v)
		}
	}
}

// roadmapConfigMapFile is generated from dialogs/roadmap.yaml.
const roadmapConfigMapFile = "roadmap-configmap.yaml"

// The ConfigMap's roadmap is the embedded one, byte for byte, so a
// deployment that mounts it runs the roadmap the code was tested with.
// Run `go test ./deploy -run TestRoadmapConfigMap -update` after editing
// dialogs/roadmap.yaml.
func TestRoadmapConfigMap(t *testing.T) {
	want := readFile(t, "dialogs/roadmap.yaml")
	if *update {
		if err := os.WriteFile(filepath.Join(root, k8sDir, roadmapConfigMapFile), renderRoadmapConfigMap(string(want)), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got := roadmapFromConfigMap(t)
	if got != string(want) {
		t.Fatalf("%s/%s differs from dialogs/roadmap.yaml; run: go test ./deploy -run TestRoadmapConfigMap -update", k8sDir, roadmapConfigMapFile)
	}
	if _, err := dialogs.Parse([]byte(got)); err != nil {
		t.Fatalf("the ConfigMap's roadmap does not load: %v", err)
	}
}

func roadmapFromConfigMap(t *testing.T) string {
	t.Helper()
	var cm configMap
	loadManifests(t).get(t, "ConfigMap", "caisbot-roadmap", &cm)
	r, ok := cm.Data["roadmap.yaml"]
	if !ok {
		t.Fatal("ConfigMap caisbot-roadmap has no roadmap.yaml")
	}
	return r
}

// configMapEnv is the bot's ConfigMap settings, as the pod sees them.
func configMapEnv(t *testing.T) map[string]string {
	t.Helper()
	var cm configMap
	loadManifests(t).get(t, "ConfigMap", "caisbot-config", &cm)
	return cm.Data
}

// renderRoadmapConfigMap writes roadmap as a literal block, which keeps
// it readable and byte-exact (TestRoadmapConfigMap checks the round trip).
func renderRoadmapConfigMap(roadmap string) []byte {
	chomp := ""
	switch {
	case !strings.HasSuffix(roadmap, "\n"):
		chomp = "-"
	case strings.HasSuffix(roadmap, "\n\n"):
		chomp = "+"
	}
	indent := "" // needed only when the first line starts with a space
	if strings.HasPrefix(roadmap, " ") {
		indent = "2"
	}
	var b strings.Builder
	b.WriteString(`# The roadmap the bot runs (CAIS_ROADMAP_FILE), generated from
# dialogs/roadmap.yaml by: go test ./deploy -run TestRoadmapConfigMap -update
# To run your own roadmap, edit data.roadmap.yaml here (it is validated at
# start-up: a bad file stops the bot with a message naming the fault) and
# keep step ids stable, since stored progress refers to them.
apiVersion: v1
kind: ConfigMap
metadata:
  name: caisbot-roadmap
  labels:
    app.kubernetes.io/name: caisbot
data:
  roadmap.yaml: |` + indent + chomp + "\n")
	for _, line := range strings.SplitAfter(strings.TrimSuffix(roadmap, "\n"), "\n") {
		if strings.TrimSpace(line) == "" {
			b.WriteString("\n")
			continue
		}
		b.WriteString("    " + line)
	}
	b.WriteString("\n")
	return []byte(b.String())
}
