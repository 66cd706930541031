package registry

import (
	"fmt"
	"testing"
)

// BenchmarkParseTag parses every tag name of docs/tag-vectors.md V1, valid and invalid, per
// iteration.
func BenchmarkParseTag(b *testing.B) {
	names := make([]string, len(tagVectors))
	for i, tc := range tagVectors {
		names[i] = tc.name
	}
	b.ReportAllocs()
	for b.Loop() {
		for _, name := range names {
			ParseTag(name)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(names)), "ns/tag")
}

// syntheticRecords builds a large registry: 100 artifacts × 100 versions, each registered on
// its own commit and assigned to three stages, 40,000 annotated tags in all. Events of one
// artifact are a second apart, and the artifacts interleave in time.
func syntheticRecords() []TagRecord {
	const artifacts, versions = 100, 100
	stages := [3]string{"dev", "staging", "prod"}
	records := make([]TagRecord, 0, artifacts*versions*4)
	for a := 0; a < artifacts; a++ {
		inTag := fmt.Sprintf("models/team%d=model-%d", a%10, a)
		counter := 0
		for v := 0; v < versions; v++ {
			commit := fmt.Sprintf("%020x%020x", a, v)
			sec := v * 4
			records = append(records, rec(fmt.Sprintf("%s@v1.%d.0", inTag, v), commit, sec))
			for s, stage := range stages {
				counter++
				records = append(records, rec(fmt.Sprintf("%s#%s#%d", inTag, stage, counter), commit, sec+s+1))
			}
		}
	}
	return records
}

func BenchmarkBuild(b *testing.B) {
	records := syntheticRecords()
	if len(records) != 40000 {
		b.Fatalf("%d records, want 40000", len(records))
	}
	// Check once that the synthetic registry is what it claims to be.
	s := Build(records)
	a := s.Artifacts["models/team3:model-13"]
	if len(s.Artifacts) != 100 || a == nil || len(a.Versions) != 100 || a.Latest().Name != "v1.99.0" ||
		len(a.InStage("prod")) != 100 || a.InStage("prod")[0].Version.Name != "v1.99.0" || s.NextCounter(a.Name) != "301" {
		b.Fatalf("unexpected synthetic state: %d artifacts", len(s.Artifacts))
	}
	b.ReportAllocs()
	for b.Loop() {
		Build(records)
	}
}
