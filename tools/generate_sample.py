"""Writes the synthetic Hotmart export that `make run` imports (no real people; seeded)."""

import random
import sys
from datetime import datetime, timedelta
from pathlib import Path

HEADER = [
    "Código da transação", "Status da transação", "Data da transação", "Produto",
    "Moeda de compra", "Valor de compra com impostos", "Valor de compra sem impostos",
    "Método de pagamento", "Comprador(a)", "Email do(a) Comprador(a)", "Telefone",
    "Documento", "País",
]
FIRST = ["Ana", "Bruno", "Carla", "Diego", "Elisa", "Fabio", "Gabi", "Hugo", "Iara", "Joao"]
LAST = ["Silva", "Souza", "Lima", "Costa", "Rocha", "Alves", "Dias", "Nunes"]
PRODUCTS = [("Curso Exemplo de Jardinagem", "297.00"), ("Checklist Bônus", "47.00"),
            ("Mentoria Exemplo", "1.497,00"), ("Ebook Exemplo", "29,90")]
STATUSES = ["Aprovado"] * 12 + ["Completo"] * 3 + ["Reembolsado", "Cancelado", "Expirado",
                                                   "Aguardando pagamento", "Chargeback"]


def rows(count: int, seed: int = 20261122) -> list[list[str]]:
    rng = random.Random(seed)
    buyers = [(f"{rng.choice(FIRST)} {rng.choice(LAST)}", f"comprador{i:04d}@example.com")
              for i in range(count * 2 // 3)]
    start = datetime(2026, 1, 5, 9, 0, 0)
    out = []
    for n in range(count):
        name, email = rng.choice(buyers)
        product, price = rng.choice(PRODUCTS)
        when = start + timedelta(minutes=rng.randrange(0, 60 * 24 * 300))
        out.append([
            f"HP{n + 1:013d}", rng.choice(STATUSES), when.strftime("%d/%m/%Y %H:%M:%S"), product,
            "BRL", price, price, rng.choice(["Pix", "Cartão de Crédito", "Boleto"]), name,
            email, f"1199{rng.randrange(10**6, 10**7)}", "(none)", "Brasil",
        ])
    out[7][9] = ""  # a row without e-mail: skipped with a reason
    out[19][9] = "not-an-email"
    out[31][5] = "12,3,4"  # an unreadable amount
    return out


def main() -> None:
    target = Path(sys.argv[1] if len(sys.argv) > 1 else "samples/hotmart-sample.csv")
    lines = [";".join(HEADER)] + [";".join(row) for row in rows(240)]
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes("\ufeff".encode() + "\r\n".join(lines).encode() + b"\r\n")
    print(f"wrote {target} ({len(lines) - 1} rows)")


if __name__ == "__main__":
    main()
