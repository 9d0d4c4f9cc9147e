package neon

// Catalogue returns every instruction form the emitter can produce, each
// with a spread of registers (low, high, mixed), lanes and immediates: the
// golden test checks each encoding against the GNU assembler and each Go
// syntax against Go's assembler.
func Catalogue() []Inst {
	var out []Inst
	vs := [][3]V{{0, 1, 2}, {31, 30, 29}, {7, 16, 23}, {15, 0, 31}, {24, 8, 3}}
	rs := []R{0, 1, 17, 30}
	fp := []Arr{S4, D2}
	three := []func(Arr, V, V, V) Inst{FADD, FSUB, FMUL, FDIV, FMAX, FMIN, FADDP, FCMEQ, FCMGE, FCMGT, FMLA, FMLS, ADD, SUB}
	bit3 := []func(V, V, V) Inst{AND, ORR, EOR, BIC, BSL, BIT, BIF, TBL}
	two := []func(Arr, V, V) Inst{FABS, FNEG, SCVTF, FCMEQZ, FCMGTZ, FCMGEZ, FCMLTZ, FCMLEZ}
	bit2 := []func(V, V) Inst{MOV, NOT, FCVTL, FCVTL2, FCVTN, FCVTN2, FADDPD, ADDPD, UADDLV4S}
	for _, v := range vs {
		d, n, m := v[0], v[1], v[2]
		for _, a := range fp {
			for _, f := range three {
				out = append(out, f(a, d, n, m))
			}
			for _, f := range two {
				out = append(out, f(a, d, n))
			}
		}
		for _, f := range bit3 {
			out = append(out, f(d, n, m))
		}
		for _, f := range bit2 {
			out = append(out, f(d, n))
		}
	}
	for i, v := range vs {
		d, n := v[0], v[1]
		r := rs[i%len(rs)]
		for _, a := range fp {
			bits := shiftBits(a)
			for _, sh := range []int{1, 23, bits} {
				out = append(out, USHR(a, d, n, sh), SSHR(a, d, n, sh))
			}
			for _, sh := range []int{0, 2, bits - 1} {
				out = append(out, SHL(a, d, n, sh))
			}
			for lane := 0; lane < 4 && (a == S4 || lane < 2); lane++ {
				out = append(out, DUP(a, d, n, lane), LD1Lane(a, d, lane, r), LD1LaneP(a, d, lane, r), ST1LaneP(a, d, lane, r))
			}
			out = append(out, LD1(a, d, r), LD1P(a, d, r), ST1P(a, d, r), LDRP(a, d, r), STRP(a, d, r), LDR1(a, d, r))
		}
		out = append(out, LD1(B16, d, r), UMOVD(R(d%31), n, 0), UMOVD(r, n, 1))
		for _, a := range fp {
			for k := 2; k <= 4; k++ {
				sd := d
				if int(sd)+k-1 > 31 {
					sd = V(32 - k)
				}
				out = append(out, LDNP(a, sd, k, r), STNP(a, sd, k, r))
			}
		}
		for _, off := range []int{0, 16, 4080, 65520} {
			out = append(out, LDRQ(d, r, off))
		}
	}
	return out
}
