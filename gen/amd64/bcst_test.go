package main

import (
	"reflect"
	"testing"

	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
	"github.com/mmcloughlin/avo/reg"
)

func sameFunc(a, b func(...Op)) bool {
	return reflect.ValueOf(a).Pointer() == reflect.ValueOf(b).Pointer()
}

// An operand list without a broadcast keeps the instruction and its
// operands; a broadcast operand selects the .BCST form and is unwrapped to
// its memory operand.
func TestWithBcstSelectsTheBroadcastForm(t *testing.T) {
	m := Mem{Symbol: Symbol{Name: "consts32", Static: true}, Base: reg.StaticBase}.Offset(8)
	plain := []Op{m, reg.Z1, reg.Z2}
	f, args := withBcst(VFMADD213PS, plain)
	if !sameFunc(f, VFMADD213PS) || !reflect.DeepEqual(args, plain) {
		t.Fatalf("without a broadcast operand: got another instruction or operands %v", args)
	}
	in := []Op{bcst{m}, reg.Z1, reg.Z2}
	f, args = withBcst(VFMADD213PS, in)
	if !sameFunc(f, VFMADD213PS_BCST) {
		t.Fatal("a broadcast operand did not select VFMADD213PS_BCST")
	}
	if got, ok := args[0].(Mem); !ok || got != m {
		t.Fatalf("the broadcast operand was not unwrapped: %#v", args[0])
	}
	if _, ok := in[0].(bcst); !ok {
		t.Fatal("withBcst modified its caller's operand list")
	}
}

// An instruction without a registered broadcast form must stop the
// generator rather than emit a full-width load from a one-element slot.
func TestWithBcstRejectsAnUnregisteredInstruction(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Fatal("no panic for VPSHUFB with a broadcast operand")
		}
	}()
	m := Mem{Symbol: Symbol{Name: "consts32", Static: true}, Base: reg.StaticBase}
	withBcst(VPSHUFB, []Op{bcst{m}, reg.Z1, reg.Z2})
}
