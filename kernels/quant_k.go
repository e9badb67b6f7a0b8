package kernels

import (
	"encoding/binary"
	"math"
)

// The K-quant formats (256-element super-blocks): Q2_K, Q3_K, Q4_K, Q5_K,
// Q6_K and the activation format Q8_K. Quantizers follow ggml's
// quantize_row_*_ref, including the scale searches of make_qx_quants,
// make_q3_quants and make_qkx2_quants, with float32 arithmetic in the same
// order (products are rounded before they are added, as without FMA).

func sqrtf(v float32) float32 { return float32(math.Sqrt(float64(v))) }

// makeQxQuants is ggml's make_qx_quants for rmseType 1 (weights x², or qw
// when given): symmetric quantization of x to [-nmax, nmax-1] (stored with
// +nmax offset in L), choosing the scale from 19 candidates that maximises
// the weighted fit. It returns the scale.
func makeQxQuants(nmax int, x []float32, L []int8, qw []float32) float32 {
	max, amax := absMaxSigned(x)
	if amax < groupMaxEps {
		clear(L[:len(x)])
		return 0
	}
	weight := func(i int) float32 {
		if qw != nil {
			return qw[i]
		}
		return float32(x[i] * x[i])
	}
	fmax := float32(nmax)
	clamp := func(l int32) int32 { return max32(-int32(nmax), min(int32(nmax)-1, l)) }
	iscale := -fmax / max
	var sumlx, suml2 float32
	for i, v := range x {
		l := clamp(nearestInt(float32(iscale * v)))
		L[i] = int8(l + int32(nmax))
		w := weight(i)
		fl := float32(l)
		sumlx += float32(float32(w*v) * fl)
		suml2 += float32(float32(w*fl) * fl)
	}
	var scale float32
	if suml2 != 0 {
		scale = sumlx / suml2
	}
	best := float32(scale * sumlx)
	for is := -9; is <= 9; is++ {
		if is == 0 {
			continue
		}
		iscale = -(fmax + float32(0.1*float32(is))) / max
		sumlx, suml2 = 0, 0
		for i, v := range x {
			fl := float32(clamp(nearestInt(float32(iscale * v))))
			w := weight(i)
			sumlx += float32(float32(w*v) * fl)
			suml2 += float32(float32(w*fl) * fl)
		}
		if suml2 > 0 && float32(sumlx*sumlx) > float32(best*suml2) {
			for i, v := range x {
				L[i] = int8(int32(nmax) + clamp(nearestInt(float32(iscale*v))))
			}
			scale = sumlx / suml2
			best = float32(scale * sumlx)
		}
	}
	return scale
}

func max32(a, b int32) int32 {
	if a > b {
		return a
	}
	return b
}

// makeQ3Quants is ggml's make_q3_quants with do_rmse: a greedy
// coordinate search over the levels in [-nmax, nmax-1] weighted by x².
// L receives levels offset by +nmax; it returns the scale.
func makeQ3Quants(nmax int, x []float32, L []int8) float32 {
	maxv, amax := absMaxSigned(x)
	if amax < groupMaxEps {
		clear(L[:len(x)])
		return 0
	}
	n32 := int32(nmax)
	clamp := func(l int32) int32 { return max32(-n32, min(n32-1, l)) }
	iscale := -float32(nmax) / maxv
	var sumlx, suml2 float32
	for i, v := range x {
		l := clamp(nearestInt(float32(iscale * v)))
		L[i] = int8(l)
		w := float32(v * v)
		fl := float32(l)
		sumlx += float32(float32(w*v) * fl)
		suml2 += float32(float32(w*fl) * fl)
	}
	for itry := 0; itry < 5; itry++ {
		changed := 0
		for i, v := range x {
			w := float32(v * v)
			li := float32(L[i])
			slx := sumlx - float32(float32(w*v)*li)
			if slx > 0 {
				sl2 := suml2 - float32(float32(w*li)*li)
				newL := clamp(nearestInt(float32(v*sl2) / slx))
				if newL != int32(L[i]) {
					fl := float32(newL)
					slx += float32(float32(w*v) * fl)
					sl2 += float32(float32(w*fl) * fl)
					if sl2 > 0 && float32(float32(slx*slx)*suml2) > float32(float32(sumlx*sumlx)*sl2) {
						L[i] = int8(newL)
						sumlx, suml2 = slx, sl2
						changed++
					}
				}
			}
		}
		if changed == 0 {
			break
		}
	}
	for i := range x {
		L[i] += int8(nmax)
	}
	if suml2 > 0 {
		return sumlx / suml2
	}
	return 0
}

// makeQKX2Quants is ggml's make_qkx2_quants: asymmetric quantization of x
// to [0, nmax] with a min offset, searching nstep+1 scales around
// nmax/(max-min) for the least weighted error (absolute when useMAD).
// It returns the scale and the (positive) min to subtract.
func makeQKX2Quants(nmax int, x, weights []float32, L, Laux []uint8, rmin, rdelta float32, nstep int, useMAD bool) (scale, theMin float32) {
	n := len(x)
	minv, maxv := x[0], x[0]
	sumW := weights[0]
	sumX := float32(sumW * x[0])
	for i := 1; i < n; i++ {
		if x[i] < minv {
			minv = x[i]
		}
		if x[i] > maxv {
			maxv = x[i]
		}
		w := weights[i]
		sumW += w
		sumX += float32(w * x[i])
	}
	if minv > 0 {
		minv = 0
	}
	if maxv == minv {
		clear(L[:n])
		return 0, -minv
	}
	fmax := float32(nmax)
	quant := func(iscale, v, m float32) uint8 {
		l := nearestInt(float32(iscale * (v - m)))
		return uint8(max32(0, min(int32(nmax), l)))
	}
	errOf := func(d float32) float32 {
		if useMAD {
			return absf(d)
		}
		return float32(d * d)
	}
	iscale := fmax / (maxv - minv)
	scale = 1 / iscale
	var bestError float32
	for i, v := range x {
		L[i] = quant(iscale, v, minv)
		diff := float32(float32(scale*float32(L[i]))+minv) - v
		bestError += float32(weights[i] * errOf(diff))
	}
	if nstep < 1 {
		return scale, -minv
	}
	for is := 0; is <= nstep; is++ {
		iscale = (float32(rmin+float32(rdelta*float32(is))) + fmax) / (maxv - minv)
		var sumL, sumL2, sumXL float32
		for i, v := range x {
			l := quant(iscale, v, minv)
			Laux[i] = l
			w := weights[i]
			fl := float32(l)
			sumL += float32(w * fl)
			sumL2 += float32(float32(w*fl) * fl)
			sumXL += float32(float32(w*fl) * v)
		}
		D := float32(sumW*sumL2) - float32(sumL*sumL)
		if D > 0 {
			thisScale := (float32(sumW*sumXL) - float32(sumX*sumL)) / D
			thisMin := (float32(sumL2*sumX) - float32(sumL*sumXL)) / D
			if thisMin > 0 {
				thisMin = 0
				thisScale = sumXL / sumL2
			}
			var curError float32
			for i, v := range x {
				diff := float32(float32(thisScale*float32(Laux[i]))+thisMin) - v
				curError += float32(weights[i] * errOf(diff))
			}
			if curError < bestError {
				copy(L[:n], Laux[:n])
				bestError = curError
				scale, minv = thisScale, thisMin
			}
		}
	}
	return scale, -minv
}

// scaleMinK4 unpacks the 6-bit scale and min of sub-block j from the 12
// packed bytes of a Q4_K/Q5_K block (ggml's get_scale_min_k4).
func scaleMinK4(j int, q []byte) (sc, m uint8) {
	if j < 4 {
		return q[j] & 63, q[j+4] & 63
	}
	return q[j+4]&0x0f | (q[j-4]>>6)<<4, q[j+4]>>4 | (q[j]>>6)<<4
}

// scaleQ3K unpacks the signed 6-bit scale of sub-block j (0..15) of a Q3_K block.
func scaleQ3K(j int, s []byte) int32 {
	var lo byte
	if j < 8 {
		lo = s[j] & 0x0f
	} else {
		lo = s[j-8] >> 4
	}
	hi := (s[8+j%4] >> (2 * uint(j/4))) & 3
	return int32(lo|hi<<4) - 32
}

// ---- Q2_K ----

func quantizeWeightsQ2_K(dst []byte, src []float32) {
	var L, Laux [qkK]uint8
	var weights [16]float32
	var mins, scales [qkK / 16]float32
	const q4scale = 15
	for i := 0; i < len(src)/qkK; i++ {
		x := src[i*qkK : (i+1)*qkK]
		b := dst[i*q2KSize : (i+1)*q2KSize]
		sc, qs := b[:16], b[16:80]
		var maxScale, maxMin float32
		for j := 0; j < qkK/16; j++ {
			xj := x[16*j : 16*j+16]
			for l, v := range xj {
				weights[l] = absf(v)
			}
			scales[j], mins[j] = makeQKX2Quants(3, xj, weights[:], L[16*j:16*j+16], Laux[:16], -0.5, 0.1, 15, true)
			maxScale = max(maxScale, scales[j])
			maxMin = max(maxMin, mins[j])
		}
		if maxScale > 0 {
			iscale := q4scale / maxScale
			for j := range scales {
				sc[j] = uint8(nearestInt(float32(iscale * scales[j])))
			}
			storeF16(b[80:], maxScale/q4scale)
		} else {
			clear(sc)
			storeF16(b[80:], 0)
		}
		if maxMin > 0 {
			iscale := q4scale / maxMin
			for j := range mins {
				sc[j] |= uint8(nearestInt(float32(iscale*mins[j])) << 4)
			}
			storeF16(b[82:], maxMin/q4scale)
		} else {
			storeF16(b[82:], 0)
		}
		d, dmin := loadF16(b[80:]), loadF16(b[82:])
		for j := 0; j < qkK/16; j++ {
			dj := d * float32(sc[j]&0x0f)
			if dj == 0 {
				continue
			}
			dm := dmin * float32(sc[j]>>4)
			for ii := 0; ii < 16; ii++ {
				l := nearestInt((x[16*j+ii] + dm) / dj)
				L[16*j+ii] = uint8(max32(0, min(3, l)))
			}
		}
		for j := 0; j < qkK; j += 128 {
			for l := 0; l < 32; l++ {
				qs[j/4+l] = L[j+l] | L[j+l+32]<<2 | L[j+l+64]<<4 | L[j+l+96]<<6
			}
		}
	}
}

func dequantQ2_K(dst []float32, src []byte) {
	for i := 0; i < len(dst)/qkK; i++ {
		b := src[i*q2KSize : (i+1)*q2KSize]
		sc, q := b[:16], b[16:80]
		d, dmin := loadF16(b[80:]), loadF16(b[82:])
		y := dst[i*qkK : (i+1)*qkK]
		is := 0
		for n := 0; n < qkK; n += 128 {
			for j := 0; j < 4; j++ {
				shift := uint(2 * j)
				for half := 0; half < 2; half++ {
					s := sc[is]
					is++
					dl, ml := d*float32(s&0x0f), dmin*float32(s>>4)
					for l := 0; l < 16; l++ {
						y[n+32*j+16*half+l] = float32(dl*float32((q[n/4+16*half+l]>>shift)&3)) - ml
					}
				}
			}
		}
	}
}

// ---- Q3_K ----

func quantizeWeightsQ3_K(dst []byte, src []float32) {
	var L [qkK]int8
	var scales [qkK / 16]float32
	for i := 0; i < len(src)/qkK; i++ {
		x := src[i*qkK : (i+1)*qkK]
		b := dst[i*q3KSize : (i+1)*q3KSize]
		hmask, qs, sc := b[:32], b[32:96], b[96:108]
		var maxScale, amax float32
		for j := 0; j < qkK/16; j++ {
			scales[j] = makeQ3Quants(4, x[16*j:16*j+16], L[16*j:16*j+16])
			if s := absf(scales[j]); s > amax {
				amax, maxScale = s, scales[j]
			}
		}
		clear(sc)
		if maxScale != 0 {
			iscale := -32 / maxScale
			for j := 0; j < qkK/16; j++ {
				l := int8(nearestInt(float32(iscale * scales[j])))
				l = max(-32, min(31, l)) + 32
				if j < 8 {
					sc[j] = uint8(l) & 0x0f
				} else {
					sc[j-8] |= (uint8(l) & 0x0f) << 4
				}
				sc[j%4+8] |= uint8(l>>4) << (2 * uint(j/4))
			}
			storeF16(b[108:], 1/iscale)
		} else {
			storeF16(b[108:], 0)
		}
		dAll := loadF16(b[108:])
		for j := 0; j < qkK/16; j++ {
			d := dAll * float32(scaleQ3K(j, sc))
			if d == 0 {
				continue
			}
			for ii := 0; ii < 16; ii++ {
				l := nearestInt(x[16*j+ii] / d)
				L[16*j+ii] = int8(max32(-4, min(3, l)) + 4)
			}
		}
		clear(hmask)
		m, hm := 0, uint8(1)
		for j := 0; j < qkK; j++ {
			if L[j] > 3 {
				hmask[m] |= hm
				L[j] -= 4
			}
			if m++; m == qkK/8 {
				m, hm = 0, hm<<1
			}
		}
		for j := 0; j < qkK; j += 128 {
			for l := 0; l < 32; l++ {
				qs[j/4+l] = uint8(L[j+l]) | uint8(L[j+l+32])<<2 | uint8(L[j+l+64])<<4 | uint8(L[j+l+96])<<6
			}
		}
	}
}

func dequantQ3_K(dst []float32, src []byte) {
	for i := 0; i < len(dst)/qkK; i++ {
		b := src[i*q3KSize : (i+1)*q3KSize]
		hm, q, sc := b[:32], b[32:96], b[96:108]
		dAll := loadF16(b[108:])
		y := dst[i*qkK : (i+1)*qkK]
		for n := 0; n < qkK; n += 128 {
			for j := 0; j < 4; j++ {
				shift := uint(2 * j)
				m := uint8(1) << uint(n/128*4+j)
				for half := 0; half < 2; half++ {
					dl := dAll * float32(scaleQ3K(n/128*8+2*j+half, sc))
					for l := 16 * half; l < 16*half+16; l++ {
						v := int32((q[n/4+l] >> shift) & 3)
						if hm[l]&m == 0 {
							v -= 4
						}
						y[n+32*j+l] = dl * float32(v)
					}
				}
			}
		}
	}
}

// ---- Q4_K ----

// packScalesK4 stores eight 6-bit scales and mins the way Q4_K/Q5_K do.
func packScalesK4(sc []byte, ls, lm *[8]uint8) {
	for j := 0; j < 8; j++ {
		if j < 4 {
			sc[j] = ls[j]
			sc[j+4] = lm[j]
		} else {
			sc[j+4] = ls[j]&0x0f | (lm[j]&0x0f)<<4
			sc[j-4] |= (ls[j] >> 4) << 6
			sc[j] |= (lm[j] >> 4) << 6
		}
	}
}

// quantizeScalesK4 runs the shared first half of the Q4_K/Q5_K reference
// quantizers: per 32-element sub-block scale search, 6-bit scale/min
// packing into b[4:16] and d/dmin into b[0:4]. It leaves the levels in L.
func quantizeScalesK4(b []byte, x []float32, L *[qkK]uint8, nmax int, rmin float32, nstep int) {
	var Laux [32]uint8
	var weights [32]float32
	var mins, scales [8]float32
	var maxScale, maxMin float32
	for j := 0; j < 8; j++ {
		xj := x[32*j : 32*j+32]
		var sumX2 float32
		for _, v := range xj {
			sumX2 += float32(v * v)
		}
		avX := sqrtf(sumX2 / 32)
		for l, v := range xj {
			weights[l] = avX + absf(v)
		}
		scales[j], mins[j] = makeQKX2Quants(nmax, xj, weights[:], L[32*j:32*j+32], Laux[:], rmin, 0.1, nstep, false)
		maxScale = max(maxScale, scales[j])
		maxMin = max(maxMin, mins[j])
	}
	var invScale, invMin float32
	if maxScale > 0 {
		invScale = 63 / maxScale
	}
	if maxMin > 0 {
		invMin = 63 / maxMin
	}
	var ls, lm [8]uint8
	for j := 0; j < 8; j++ {
		ls[j] = min(63, uint8(nearestInt(float32(invScale*scales[j]))))
		lm[j] = min(63, uint8(nearestInt(float32(invMin*mins[j]))))
	}
	packScalesK4(b[4:16], &ls, &lm)
	storeF16(b[0:], maxScale/63)
	storeF16(b[2:], maxMin/63)
	d, dmin := loadF16(b[0:]), loadF16(b[2:])
	for j := 0; j < 8; j++ {
		sc, m := scaleMinK4(j, b[4:16])
		dj := d * float32(sc)
		if dj == 0 {
			continue
		}
		dm := dmin * float32(m)
		for ii := 0; ii < 32; ii++ {
			l := nearestInt((x[32*j+ii] + dm) / dj)
			L[32*j+ii] = uint8(max32(0, min(int32(nmax), l)))
		}
	}
}

func quantizeWeightsQ4_K(dst []byte, src []float32) {
	var L [qkK]uint8
	for i := 0; i < len(src)/qkK; i++ {
		b := dst[i*q4KSize : (i+1)*q4KSize]
		quantizeScalesK4(b, src[i*qkK:(i+1)*qkK], &L, 15, -1, 20)
		q := b[16:]
		for j := 0; j < qkK; j += 64 {
			for l := 0; l < 32; l++ {
				q[j/2+l] = L[j+l] | L[j+l+32]<<4
			}
		}
	}
}

func dequantQ4_K(dst []float32, src []byte) {
	for i := 0; i < len(dst)/qkK; i++ {
		b := src[i*q4KSize : (i+1)*q4KSize]
		d, dmin := loadF16(b[0:]), loadF16(b[2:])
		scs, q := b[4:16], b[16:]
		y := dst[i*qkK : (i+1)*qkK]
		for j := 0; j < 4; j++ {
			sc1, m1 := scaleMinK4(2*j, scs)
			sc2, m2 := scaleMinK4(2*j+1, scs)
			d1, mm1 := d*float32(sc1), dmin*float32(m1)
			d2, mm2 := d*float32(sc2), dmin*float32(m2)
			for l := 0; l < 32; l++ {
				y[64*j+l] = float32(d1*float32(q[32*j+l]&0x0f)) - mm1
				y[64*j+32+l] = float32(d2*float32(q[32*j+l]>>4)) - mm2
			}
		}
	}
}

// ---- Q5_K ----

func quantizeWeightsQ5_K(dst []byte, src []float32) {
	var L [qkK]uint8
	for i := 0; i < len(src)/qkK; i++ {
		b := dst[i*q5KSize : (i+1)*q5KSize]
		quantizeScalesK4(b, src[i*qkK:(i+1)*qkK], &L, 31, -0.5, 15)
		qh, ql := b[16:48], b[48:]
		clear(qh)
		m1, m2 := uint8(1), uint8(2)
		for n := 0; n < qkK; n += 64 {
			for j := 0; j < 32; j++ {
				l1, l2 := L[n+j], L[n+j+32]
				if l1 > 15 {
					l1 -= 16
					qh[j] |= m1
				}
				if l2 > 15 {
					l2 -= 16
					qh[j] |= m2
				}
				ql[n/2+j] = l1 | l2<<4
			}
			m1 <<= 2
			m2 <<= 2
		}
	}
}

func dequantQ5_K(dst []float32, src []byte) {
	for i := 0; i < len(dst)/qkK; i++ {
		b := src[i*q5KSize : (i+1)*q5KSize]
		d, dmin := loadF16(b[0:]), loadF16(b[2:])
		scs, qh, ql := b[4:16], b[16:48], b[48:]
		y := dst[i*qkK : (i+1)*qkK]
		for j := 0; j < 4; j++ {
			sc1, m1 := scaleMinK4(2*j, scs)
			sc2, m2 := scaleMinK4(2*j+1, scs)
			d1, mm1 := d*float32(sc1), dmin*float32(m1)
			d2, mm2 := d*float32(sc2), dmin*float32(m2)
			u1, u2 := uint8(1)<<uint(2*j), uint8(2)<<uint(2*j)
			for l := 0; l < 32; l++ {
				v1, v2 := ql[32*j+l]&0x0f, ql[32*j+l]>>4
				if qh[l]&u1 != 0 {
					v1 += 16
				}
				if qh[l]&u2 != 0 {
					v2 += 16
				}
				y[64*j+l] = float32(d1*float32(v1)) - mm1
				y[64*j+32+l] = float32(d2*float32(v2)) - mm2
			}
		}
	}
}

// ---- Q6_K ----

func quantizeWeightsQ6_K(dst []byte, src []float32) {
	var L [qkK]int8
	var scales [qkK / 16]float32
	for i := 0; i < len(src)/qkK; i++ {
		x := src[i*qkK : (i+1)*qkK]
		b := dst[i*q6KSize : (i+1)*q6KSize]
		ql, qh, sc := b[:128], b[128:192], b[192:208]
		var maxScale, maxAbsScale float32
		for ib := 0; ib < qkK/16; ib++ {
			scales[ib] = makeQxQuants(32, x[16*ib:16*ib+16], L[16*ib:16*ib+16], nil)
			if a := absf(scales[ib]); a > maxAbsScale {
				maxAbsScale, maxScale = a, scales[ib]
			}
		}
		if maxAbsScale < groupMaxEps {
			clear(b)
			continue
		}
		iscale := -128 / maxScale
		storeF16(b[208:], 1/iscale)
		for ib := range scales {
			sc[ib] = uint8(int8(min(127, nearestInt(float32(iscale*scales[ib])))))
		}
		d := loadF16(b[208:])
		for j := 0; j < qkK/16; j++ {
			dj := d * float32(int8(sc[j]))
			if dj == 0 {
				continue
			}
			for ii := 0; ii < 16; ii++ {
				l := nearestInt(x[16*j+ii] / dj)
				L[16*j+ii] = int8(max32(-32, min(31, l)) + 32)
			}
		}
		for j := 0; j < qkK; j += 128 {
			for l := 0; l < 32; l++ {
				q1 := uint8(L[j+l]) & 0x0f
				q2 := uint8(L[j+l+32]) & 0x0f
				q3 := uint8(L[j+l+64]) & 0x0f
				q4 := uint8(L[j+l+96]) & 0x0f
				ql[j/2+l] = q1 | q3<<4
				ql[j/2+l+32] = q2 | q4<<4
				qh[j/4+l] = uint8(L[j+l])>>4 | (uint8(L[j+l+32])>>4)<<2 | (uint8(L[j+l+64])>>4)<<4 | (uint8(L[j+l+96])>>4)<<6
			}
		}
	}
}

// q6KLevels unpacks the 256 signed 6-bit levels of a Q6_K block into a.
func q6KLevels(b []byte, a *[qkK]int8) {
	ql, qh := b[:128], b[128:192]
	for n := 0; n < qkK; n += 128 {
		for l := 0; l < 32; l++ {
			h := qh[n/4+l]
			lo0, lo1 := ql[n/2+l], ql[n/2+l+32]
			a[n+l] = int8(lo0&0x0f|(h&3)<<4) - 32
			a[n+l+32] = int8(lo1&0x0f|((h>>2)&3)<<4) - 32
			a[n+l+64] = int8(lo0>>4|((h>>4)&3)<<4) - 32
			a[n+l+96] = int8(lo1>>4|((h>>6)&3)<<4) - 32
		}
	}
}

func dequantQ6_K(dst []float32, src []byte) {
	var a [qkK]int8
	for i := 0; i < len(dst)/qkK; i++ {
		b := src[i*q6KSize : (i+1)*q6KSize]
		sc := b[192:208]
		d := loadF16(b[208:])
		q6KLevels(b, &a)
		y := dst[i*qkK : (i+1)*qkK]
		for e := range y {
			y[e] = float32(d*float32(int8(sc[e/16]))) * float32(a[e])
		}
	}
}

// ---- Q8_K (activations of the K-quant dot products) ----

// quantizeRowQ8_KRef is ggml's quantize_row_q8_K_ref (the x86 CPU backend
// uses it as is): scale -127/max, round half to even, block sums of 16.
func quantizeRowQ8_KRef(dst []byte, x []float32) {
	for i := 0; i < len(x)/qkK; i++ {
		xb := x[i*qkK : (i+1)*qkK]
		b := dst[i*q8KSize : (i+1)*q8KSize]
		maxv, amax := absMaxSigned(xb)
		if amax == 0 {
			clear(b)
			continue
		}
		iscale := -127 / maxv
		qs := b[4 : 4+qkK]
		for j, v := range xb {
			qs[j] = byte(int8(min(127, nearestInt(float32(iscale*v)))))
		}
		for j := 0; j < qkK/16; j++ {
			sum := int16(0)
			for _, q := range qs[16*j : 16*j+16] {
				sum += int16(int8(q))
			}
			binary.LittleEndian.PutUint16(b[4+qkK+2*j:], uint16(sum))
		}
		storeF32(b, 1/iscale)
	}
}

func dequantQ8_K(dst []float32, src []byte) {
	for i := 0; i < len(dst)/qkK; i++ {
		b := src[i*q8KSize : (i+1)*q8KSize]
		d := loadF32(b)
		for j, q := range b[4 : 4+qkK] {
			dst[i*qkK+j] = d * float32(int8(q))
		}
	}
}
